/** The last completions' timings and strategies, for the model item's tooltip. */
import type { Completion } from '../../core/fim/complete';

const KEEP = 50;

export class CompletionStats {
  private readonly recent: Completion[] = [];

  record(completion: Completion): void {
    this.recent.push(completion);
    if (this.recent.length > KEEP) this.recent.shift();
  }

  /** p50/p95 of time to first token and total time, tokens, strategies and healed bytes. */
  markdown(): string {
    const n = this.recent.length;
    if (n === 0) return '';
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
      `Last: ${last.stats.tokens} tokens, ${last.stats.healedBytes} bytes healed, ${last.strategy}${last.fallback ? ` (${last.fallback})` : ''}`,
    ].join('\n\n');
  }
}
