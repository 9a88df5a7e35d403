/**
 * The client side of the engine protocol: spawns the engine child, matches answers to requests by id,
 * streams `token` events to their request, and turns the child's death into an error on every pending call
 * (with the tail of what it wrote to stderr, where llama.cpp says why it aborted).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { BackendKind } from './types';
import { BackendError } from './types';
import type { EngineMessage, EngineRequest, ResultMap, WireToken } from '../engine/protocol';
import { ENGINE_DIR_FLAG } from '../engine/protocol';

export interface ConnectionOptions {
  /** The bundled engine script (`dist/engine.js`). */
  enginePath: string;
  /** The folder node-llama-cpp was installed into. */
  installDir: string;
  /** The Node executable; defaults to this process's (in VS Code, Electron run as Node). */
  nodePath?: string;
}

type Pending = {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  onToken?: (token: WireToken) => void;
};

type Request = Exclude<EngineRequest, { type: 'cancel' }>;

const KIND: BackendKind = 'embedded';
const STDERR_TAIL = 4000;

export class EngineConnection {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stderrTail = '';
  private exitError: BackendError | undefined;
  /** Resolves when the child has exited (for whatever reason). */
  readonly exited: Promise<void>;

  constructor(options: ConnectionOptions) {
    this.child = spawn(options.nodePath ?? process.execPath, [options.enginePath, ENGINE_DIR_FLAG, options.installDir], {
      stdio: ['pipe', 'pipe', 'pipe'],
      // Electron (the VS Code extension host) runs a script only as Node with this set; Node ignores it.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      windowsHide: true,
    });
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (chunk: string) => this.keepStderr(chunk));
    // Writing to a child that just died raises EPIPE here; the exit handler reports it.
    this.child.stdin!.on('error', () => undefined);
    createInterface({ input: this.child.stdout!, crlfDelay: Infinity }).on('line', (line) => this.receive(line));
    this.exited = new Promise((resolve) => {
      this.child.once('error', (error) => {
        this.fail(new BackendError(`The model engine could not start: ${error.message}`, KIND, error));
        resolve();
      });
      // 'close', not 'exit': by then stderr has been read to its end.
      this.child.once('close', (code, signal) => {
        const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
        const tail = this.stderrTail.trim();
        this.fail(new BackendError(`The model engine stopped: it ${how}.${tail ? `\n${tail}` : ''}`, KIND));
        resolve();
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exitError === undefined;
  }

  /** Sends a request; `signal` cancels it in the engine too, rejecting with the signal's reason. */
  request<K extends Request['type']>(
    body: { type: K } & Omit<Extract<Request, { type: K }>, 'id'>,
    options: { signal?: AbortSignal; onToken?: (token: WireToken) => void } = {},
  ): Promise<ResultMap[K]> {
    const { signal } = options;
    if (this.exitError) return Promise.reject(this.exitError);
    if (signal?.aborted) return Promise.reject(signal.reason);
    const id = this.nextId++;
    return new Promise<ResultMap[K]>((resolve, reject) => {
      const onAbort = () => {
        if (!this.pending.delete(id)) return;
        this.write({ type: 'cancel', id });
        reject(signal!.reason);
      };
      const settle = () => signal?.removeEventListener('abort', onAbort);
      this.pending.set(id, {
        resolve: (value) => (settle(), resolve(value as ResultMap[K])),
        reject: (error) => (settle(), reject(error)),
        onToken: options.onToken,
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.write({ ...body, id } as unknown as EngineRequest);
    });
  }

  /** Kills the child; every pending call rejects. */
  dispose(): void {
    this.fail(new BackendError('The model engine was closed.', KIND));
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private write(message: EngineRequest): void {
    if (this.exitError || !this.child.stdin?.writable) return;
    this.child.stdin.write(`${JSON.stringify(message)}\n`);
  }

  private receive(line: string): void {
    let message: EngineMessage;
    try {
      message = JSON.parse(line) as EngineMessage;
    } catch {
      // Something other than the protocol reached stdout (a native library printing): keep it for errors.
      this.keepStderr(`[stdout] ${line}\n`);
      return;
    }
    if (!message || typeof message !== 'object' || !('type' in message)) return;
    if (message.type === 'ready') return;
    const pending = this.pending.get(message.id);
    if (!pending) return;
    if (message.type === 'token') {
      pending.onToken?.(message.token);
    } else if (message.type === 'result') {
      this.pending.delete(message.id);
      pending.resolve(message.value);
    } else if (message.type === 'error') {
      this.pending.delete(message.id);
      pending.reject(new BackendError(message.message, KIND));
    }
  }

  private keepStderr(chunk: string): void {
    this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL);
  }

  private fail(error: BackendError): void {
    this.exitError ??= error;
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(this.exitError);
  }
}
