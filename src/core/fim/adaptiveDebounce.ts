/**
 * How long to wait after a keystroke before asking the model for a completion. A fixed wait is either too
 * long for a fast typist who pauses (ghost text late) or too short for a slow one (a request per keystroke,
 * each aborted by the next). So the wait follows the user: a pause is a gap clearly longer than their usual
 * gap between keystrokes. A slow backend makes a wasted request costly (it holds the engine while the useful
 * one waits), so its recent latency can lengthen the wait. The result is clamped between a floor and the
 * ceiling the user configured; with no history yet the ceiling is used.
 *
 *   wait = clamp(max(PAUSE_FACTOR × median recent gap, LATENCY_SHARE × median recent latency), floor, ceiling)
 *
 * Times are passed in (milliseconds on any monotonic clock), so the logic is deterministic to test.
 */

export interface AdaptiveDebounceOptions {
  /** The shortest wait, whatever the rhythm (default 30 ms); a ceiling below it wins. */
  floorMs?: number;
  /** Gaps (and latencies) remembered (default 20). */
  history?: number;
  /** A gap longer than this is a pause, not part of the typing rhythm (default 1000 ms). */
  burstGapMs?: number;
}

/** A gap this many times the usual one is taken as a pause. */
export const PAUSE_FACTOR = 1.5;
/** The share of the backend's usual latency worth waiting to avoid a wasted request. */
export const LATENCY_SHARE = 0.25;
/** Gaps needed before the rhythm is trusted over the ceiling. */
const MIN_GAPS = 3;

export class AdaptiveDebounce {
  private readonly floorMs: number;
  private readonly history: number;
  private readonly burstGapMs: number;
  private readonly gaps: number[] = [];
  private readonly latencies: number[] = [];
  private last: number | undefined;

  constructor(options: AdaptiveDebounceOptions = {}) {
    this.floorMs = options.floorMs ?? 30;
    this.history = options.history ?? 20;
    this.burstGapMs = options.burstGapMs ?? 1000;
  }

  /** A change typed into the document at `now`. */
  keystroke(now: number): void {
    if (this.last !== undefined) {
      const gap = now - this.last;
      if (gap >= 0 && gap <= this.burstGapMs) push(this.gaps, gap, this.history);
    }
    this.last = now;
  }

  /** A completion the backend answered in `ms` (aborted ones say nothing about the backend's speed). */
  latency(ms: number): void {
    if (Number.isFinite(ms) && ms >= 0) push(this.latencies, ms, this.history);
  }

  /** The wait after a keystroke, between the floor and `ceilingMs`. */
  delay(ceilingMs: number): number {
    const ceiling = Math.max(0, ceilingMs);
    const floor = Math.min(this.floorMs, ceiling);
    if (this.gaps.length < MIN_GAPS) return ceiling;
    const wanted = Math.max(PAUSE_FACTOR * median(this.gaps), LATENCY_SHARE * median(this.latencies));
    return Math.round(Math.min(ceiling, Math.max(floor, wanted)));
  }

  /**
   * How much longer to wait at `now`: the delay counts from the last keystroke, not from when VS Code asks.
   * Asked with no keystroke just before (a paste, an accepted completion, a cursor move), the whole delay.
   */
  remaining(ceilingMs: number, now: number): number {
    const delay = this.delay(ceilingMs);
    if (this.last === undefined || now - this.last > this.burstGapMs) return delay;
    return Math.max(0, Math.min(delay, this.last + delay - now));
  }
}

function push(list: number[], value: number, max: number): void {
  list.push(value);
  if (list.length > max) list.shift();
}

/** The median, 0 for none: robust to the odd long gap (a thought) or a slow first request (a cold cache). */
function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
