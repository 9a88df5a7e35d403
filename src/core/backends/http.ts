/**
 * HTTP plumbing shared by the server backends: fetch with a timeout joined to the caller's AbortSignal,
 * JSON bodies with errors a user can read, and a reader for SSE and NDJSON streams. Global fetch only, so
 * it runs in Node 20 and in browsers.
 */
import type { BackendKind } from './types';
import { BackendError, BackendUnreachable } from './types';

export interface HttpClientOptions {
  kind: BackendKind;
  /** Base URL, without a trailing slash. */
  baseUrl: string;
  /** Longest wait for an answer, or between two chunks of a stream. */
  timeoutMs?: number;
  /** Sent with every request (an Authorization header, say). Never written into an error message. */
  headers?: Record<string, string>;
}

export type StreamFormat = 'sse' | 'ndjson';

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * An AbortSignal that fires when the caller's does or when the timer runs out; `touch` restarts the timer
 * (streams time out on silence, not on total length) and `done` releases the listener and the timer.
 */
class Deadline {
  readonly controller = new AbortController();
  timedOut = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly onAbort = () => this.controller.abort(this.caller?.reason);

  constructor(
    readonly ms: number,
    private readonly caller?: AbortSignal,
  ) {
    if (caller?.aborted) this.controller.abort(caller.reason);
    else caller?.addEventListener('abort', this.onAbort, { once: true });
    this.touch();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  touch(): void {
    clearTimeout(this.timer);
    if (this.controller.signal.aborted) return;
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort(new Error('timeout'));
    }, this.ms);
  }

  done(): void {
    clearTimeout(this.timer);
    this.caller?.removeEventListener('abort', this.onAbort);
  }
}

/** The server's own message from an error body: llama-server, vLLM, FastAPI and Ollama shapes. */
export function serverMessage(body: string): string {
  try {
    const json = JSON.parse(body) as Record<string, unknown>;
    const error = json.error as unknown;
    if (typeof error === 'string') return error;
    if (error && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string') return (error as { message: string }).message;
    if (typeof json.message === 'string') return json.message;
    if (typeof json.detail === 'string') return json.detail;
    if (Array.isArray(json.detail)) return json.detail.map((d: { msg?: string }) => d?.msg ?? JSON.stringify(d)).join('; ');
  } catch {
    // Not JSON: fall through to the text itself.
  }
  const text = body.trim().replace(/\s+/g, ' ');
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

export class HttpClient {
  readonly kind: BackendKind;
  readonly baseUrl: string;
  readonly timeoutMs: number;
  private readonly headers: Record<string, string>;

  constructor(options: HttpClientOptions) {
    this.kind = options.kind;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.headers = options.headers ?? {};
  }

  getJson<T>(path: string, signal?: AbortSignal, timeoutMs?: number): Promise<T> {
    return this.json<T>('GET', path, undefined, signal, timeoutMs);
  }

  postJson<T>(path: string, body: unknown, signal?: AbortSignal, timeoutMs?: number): Promise<T> {
    return this.json<T>('POST', path, body, signal, timeoutMs);
  }

  /** The status of a GET without throwing on HTTP errors (for probing /health and optional endpoints). */
  async status(path: string, signal?: AbortSignal): Promise<{ status: number; body: string }> {
    const deadline = new Deadline(this.timeoutMs, signal);
    try {
      const response = await this.send('GET', path, undefined, deadline);
      return { status: response.status, body: await this.readText(response, path, deadline) };
    } finally {
      deadline.done();
    }
  }

  /** Streams the JSON events of an SSE (`data: …`) or NDJSON body; returns when the body ends. */
  async *stream(path: string, body: unknown, format: StreamFormat, signal?: AbortSignal): AsyncGenerator<unknown, void> {
    const deadline = new Deadline(this.timeoutMs, signal);
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
    let finished = false;
    try {
      const response = await this.send('POST', path, body, deadline);
      if (!response.ok) throw this.httpError(response.status, await this.readText(response, path, deadline), path);
      if (!response.body) throw new BackendError(`${this.where(path)} answered with no body`, this.kind);
      reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      let data: string[] = [];
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (error) {
          throw this.failure(error, path, deadline, 'mid-stream');
        }
        deadline.touch();
        buffer += chunk.done ? decoder.decode() : decoder.decode(chunk.value, { stream: true });
        // Lines can be split anywhere between chunks: only complete lines are parsed.
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl).replace(/\r$/, '');
          buffer = buffer.slice(nl + 1);
          if (format === 'ndjson') {
            if (line.trim()) yield this.event(line, path);
          } else if (line === '') {
            if (data.length) {
              const event = data.join('\n');
              data = [];
              if (event === '[DONE]') {
                finished = true;
                return;
              }
              yield this.event(event, path);
            }
          } else if (line.startsWith('data:')) {
            data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
          } else if (line.startsWith('error:')) {
            // llama-server reports a failure inside a stream as an `error: {…}` line.
            throw new BackendError(`${this.where(path)}: ${serverMessage(line.slice(6))}`, this.kind);
          }
        }
        if (chunk.done) {
          finished = true;
          if (buffer.trim() || data.length) throw new BackendError(`${this.where(path)}: the stream ended in the middle of an event`, this.kind);
          return;
        }
      }
    } finally {
      deadline.done();
      // Stopped early (abort, error, or the consumer broke off): cancel so the connection is closed, not leaked.
      if (reader && !finished) await reader.cancel().catch(() => undefined);
      reader?.releaseLock();
    }
  }

  private async json<T>(method: string, path: string, body: unknown, signal: AbortSignal | undefined, timeoutMs: number | undefined): Promise<T> {
    const deadline = new Deadline(timeoutMs ?? this.timeoutMs, signal);
    try {
      const response = await this.send(method, path, body, deadline);
      const text = await this.readText(response, path, deadline);
      if (!response.ok) throw this.httpError(response.status, text, path);
      return this.parse(text, path) as T;
    } finally {
      deadline.done();
    }
  }

  private async send(method: string, path: string, body: unknown, deadline: Deadline): Promise<Response> {
    const headers: Record<string, string> = { ...this.headers };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const attempt = () => fetch(this.baseUrl + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: deadline.signal });
    try {
      return await attempt();
    } catch (error) {
      // A kept-alive socket the server closed as the request went out (llama-server closes idle ones after
      // 5 s): nothing was answered, so the request is sent again, once, on a new connection.
      if (!STALE_SOCKET.has(causeCode(error) ?? '') || deadline.signal.aborted) throw this.failure(error, path, deadline, 'connect');
      try {
        return await attempt();
      } catch (again) {
        throw this.failure(again, path, deadline, 'connect');
      }
    }
  }

  private async readText(response: Response, path: string, deadline: Deadline): Promise<string> {
    try {
      return await response.text();
    } catch (error) {
      throw this.failure(error, path, deadline, 'body');
    }
  }

  /** A stream event; one carrying only an `error` (llama-server, vLLM, Ollama all send that) throws. */
  private event(text: string, path: string): unknown {
    const value = this.parse(text, path);
    if (value && typeof value === 'object' && 'error' in value && (value as { error: unknown }).error) {
      throw new BackendError(`${this.where(path)}: ${serverMessage(text)}`, this.kind);
    }
    return value;
  }

  private parse(text: string, path: string): unknown {
    try {
      return JSON.parse(text);
    } catch {
      const sample = text.length > 80 ? `${text.slice(0, 80)}…` : text;
      throw new BackendError(`${this.where(path)} sent malformed JSON: ${JSON.stringify(sample)}`, this.kind);
    }
  }

  private httpError(status: number, body: string, path: string): BackendError {
    const message = serverMessage(body);
    return new BackendError(`${this.where(path)} failed with HTTP ${status}${message ? `: ${message}` : ''}`, this.kind);
  }

  /** A network failure, timeout or abort, said plainly. */
  private failure(error: unknown, path: string, deadline: Deadline, phase: 'connect' | 'body' | 'mid-stream'): BackendError {
    if (error instanceof BackendError) return error;
    if (deadline.timedOut) return new BackendError(`${this.where(path)}: no answer within ${deadline.ms} ms`, this.kind, error);
    if (deadline.signal.aborted) return new BackendError(`${this.where(path)}: aborted`, this.kind, error);
    const code = causeCode(error);
    if (code === 'ECONNREFUSED') return new BackendUnreachable(`cannot reach ${this.baseUrl}: connection refused (is the server running?)`, this.kind, error);
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new BackendUnreachable(`cannot reach ${this.baseUrl}: unknown host`, this.kind, error);
    const what = phase === 'connect' ? 'before answering' : phase === 'mid-stream' ? 'in the middle of the stream' : 'before the answer was complete';
    return new BackendUnreachable(`${this.where(path)}: the server closed the connection ${what}${code ? ` (${code})` : ''}`, this.kind, error);
  }

  private where(path: string): string {
    return `${this.kind} ${path.split('?')[0]}`;
  }
}

/** Codes of a connection closed before any answer. */
const STALE_SOCKET = new Set(['UND_ERR_SOCKET', 'ECONNRESET']);

/** The system error code behind a fetch failure (undici nests it in `cause`); browsers give none. */
function causeCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** Rejects with an abort BackendError when the signal fires during `ms`. */
export function sleep(ms: number, kind: BackendKind, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new BackendError('aborted', kind, signal.reason));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new BackendError('aborted', kind, signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Decodes a `bytes` array or a string piece into exact bytes. */
export function pieceBytes(piece: unknown): Uint8Array | undefined {
  if (Array.isArray(piece)) return Uint8Array.from(piece as number[]);
  if (typeof piece === 'string') return new TextEncoder().encode(piece);
  return undefined;
}
