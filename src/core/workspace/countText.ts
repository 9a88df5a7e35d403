/** Counting one file's text in slices a host can wait for. */
import type { Tokenizer } from '../tokenizers/types';

const ANYWHERE = { canStop: () => true };

/**
 * How much text fits in a time slice, learnt from the counts so far: code and prose run many times
 * faster than CJK text or long runs of digits, so a fixed size would either slice fast text needlessly
 * (each window costs a little) or hold the host too long on slow text.
 */
export class Pace {
  /** UTF-16 units counted per millisecond, a moving average; a cautious start. */
  private rate = 8000;

  constructor(private readonly sliceMs: number) {}

  /** Texts longer than this are counted a window at a time. */
  get window(): number {
    return Math.min(1 << 20, Math.max(16 * 1024, Math.round(this.rate * this.sliceMs)));
  }

  observe(units: number, ms: number): void {
    if (units < 4096) return; // too short to time
    this.rate = 0.7 * this.rate + (0.3 * units) / Math.max(ms, 0.05);
  }
}

/**
 * `tokenizer.count(text)`, counted window by window when the text is longer than a time slice holds
 * and the tokenizer can restart at piece boundaries (the windows `DocumentTokens` re-encodes after an
 * edit), calling `between()` after each window so that a large file does not hold the host for its
 * whole count. Other tokenizers count in one call.
 */
export async function countTokensInSlices(tokenizer: Tokenizer, text: string, pace: Pace, between: () => Promise<void> | void): Promise<number> {
  const pieces = tokenizer.pieces;
  let t0 = performance.now();
  if (!pieces || text.length <= pace.window) {
    const tokens = tokenizer.count(text);
    pace.observe(text.length, performance.now() - t0);
    return tokens;
  }
  let tokens = 0;
  let pos = 0;
  while (pos < text.length) {
    const window = pace.window;
    // A window must run past its stop by the restart margin; grow it when no stop is found (a long piece).
    for (let extra = 4096; ; extra *= 4) {
      const end = Math.min(text.length, pos + window + extra);
      const result = pieces.encodeWindow(text.slice(pos, end), end === text.length, Math.min(window, end - pos), ANYWHERE);
      if (!result) continue;
      pace.observe(end - pos, performance.now() - t0);
      tokens += result.ids.length;
      pos += result.stop;
      break;
    }
    if (pos < text.length) {
      await between();
      t0 = performance.now();
    }
  }
  return tokens;
}
