/**
 * When to try an unreachable backend again: a second after, then waits that double up to a cap,
 * so a server that comes back is found soon and one that stays down costs one request now and then.
 */
export class Backoff {
  private tries = 0;

  constructor(
    private readonly firstMs = 1000,
    private readonly maxMs = 30_000,
  ) {}

  /** The wait before the next try. */
  next(): number {
    return Math.min(this.maxMs, this.firstMs * 2 ** this.tries++);
  }

  reset(): void {
    this.tries = 0;
  }
}
