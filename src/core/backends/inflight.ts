/**
 * Requests in flight, so that `dispose()` can end them all, and a small concurrency limiter for batches
 * that must not queue more requests than the server has slots.
 */

export class Inflight {
  private readonly controllers = new Set<AbortController>();
  private disposed = false;

  /** A signal that fires when the caller's does or on `abortAll`; call `release` when the request ends. */
  link(caller?: AbortSignal): { signal: AbortSignal; release: () => void } {
    const controller = new AbortController();
    const onAbort = () => controller.abort(caller?.reason);
    if (this.disposed) controller.abort(new Error('disposed'));
    else if (caller?.aborted) controller.abort(caller.reason);
    else caller?.addEventListener('abort', onAbort, { once: true });
    this.controllers.add(controller);
    return {
      signal: controller.signal,
      release: () => {
        caller?.removeEventListener('abort', onAbort);
        this.controllers.delete(controller);
      },
    };
  }

  abortAll(): void {
    this.disposed = true;
    for (const c of this.controllers) c.abort(new Error('disposed'));
    this.controllers.clear();
  }
}

/** `fn` over `items` with at most `limit` running at once; `fn` gets the worker index (a slot id). */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T, worker: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (w: number) => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], w);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, (_, w) => worker(w)));
  return results;
}
