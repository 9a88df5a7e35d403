/** The last completions' timings and strategies, for the model item's tooltip. */
import type { Completion } from '../../core/fim/complete';

const KEEP = 50;

export class CompletionStats {
  private readonly recent: Completion[] = [];
  /** Requests that reached the backend, those not answered yet, those aborted (by the next keystroke, mostly), and completions the cache answered. */
  sent = 0;
  inFlight = 0;
  cancelled = 0;
  cacheHits = 0;
  /** The last prompt's size and the other files it carried. */
  private lastPrompt: { tokens: number; files: string[] } | undefined;

  record(completion: Completion): void {
    this.recent.push(completion);
    if (this.recent.length > KEEP) this.recent.shift();
  }

  prompt(tokens: number, files: readonly string[]): void {
    this.lastPrompt = { tokens, files: [...files] };
  }

  /** p50/p95 of time to first token and total time, tokens, strategies, healed bytes, the last prompt and the request counts. */
  markdown(): string {
    const n = this.recent.length;
    const requests = `Requests: ${this.sent} sent, ${this.inFlight} in flight, ${this.cancelled} cancelled, ${this.cacheHits} answered from the cache`;
    if (n === 0) return this.sent + this.cacheHits > 0 ? requests : '';
    const ms = (pick: (c: Completion) => number) => {
      const sorted = this.recent.map(pick).sort((a, b) => a - b);
      const at = (q: number) => Math.round(sorted[Math.min(n - 1, Math.floor(q * n))]);
      return `${at(0.5)} / ${at(0.95)} ms`;
    };
    const last = this.recent[n - 1];
    const strategies = new Map<string, number>();
    for (const c of this.recent) strategies.set(c.strategy, (strategies.get(c.strategy) ?? 0) + 1);
    return [
      `Last ${n} completions: first token ${ms((c) => c.stats.ttftMs)} (p50 / p95), total ${ms((c) => c.stats.totalMs)}`,
      `Strategies: ${[...strategies].map(([s, k]) => `${s} ${k}`).join(', ')}`,
      `Last: ${last.stats.tokens} tokens, ${last.stats.healedBytes} bytes healed, ${last.strategy}${last.healVia ? ` via ${last.healVia}` : ''}${last.fallback ? ` (${last.fallback})` : ''}`,
      ...(this.lastPrompt ? [describePrompt(this.lastPrompt)] : []),
      requests,
    ].join('\n\n');
  }
}

function describePrompt({ tokens, files }: { tokens: number; files: string[] }): string {
  return `Last prompt: ${tokens} tokens, other files offered: ${files.length ? files.join(', ') : 'none'}`;
}
