/**
 * Giving the event loop a turn during a long scan, in Node and in a browser (web) worker alike:
 * `setImmediate` where there is one, else a `MessageChannel` message; both run before timers' clamped
 * delays would, so a scan that yields often loses little time.
 */

type Resume = () => void;

let post: ((resume: Resume) => void) | undefined;

function poster(): (resume: Resume) => void {
  const g = globalThis as { setImmediate?: (f: Resume) => unknown };
  if (typeof g.setImmediate === 'function') return (resume) => void g.setImmediate!(resume);
  if (typeof MessageChannel === 'function') {
    const queue: Resume[] = [];
    const channel = new MessageChannel();
    channel.port1.onmessage = () => queue.shift()?.();
    return (resume) => {
      queue.push(resume);
      channel.port2.postMessage(null);
    };
  }
  return (resume) => void setTimeout(resume, 0);
}

/** Resolves after the host has had a turn: pending events, timers and I/O callbacks. */
export function yieldToHost(): Promise<void> {
  post ??= poster();
  return new Promise((resolve) => post!(resolve));
}

/** Yields once at least `sliceMs` have passed since the last yield (or since it was made). */
export class TimeSlicer {
  private last = performance.now();

  constructor(private readonly sliceMs: number) {}

  /** Whether the current slice is spent. */
  get due(): boolean {
    return performance.now() - this.last >= this.sliceMs;
  }

  async yield(): Promise<void> {
    await yieldToHost();
    this.last = performance.now();
  }

  /** Yields when the slice is spent. */
  async maybeYield(): Promise<void> {
    if (this.due) await this.yield();
  }
}
