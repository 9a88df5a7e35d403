/** How a scan stops when its signal is aborted: an error the scan catches, never one a caller sees. */
export class ScanAborted extends Error {
  constructor() {
    super('scan cancelled');
    this.name = 'AbortError';
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ScanAborted();
}
