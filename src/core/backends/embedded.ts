/**
 * The embedded llama.cpp engine as a ModelBackend: node-llama-cpp in a child process (`dist/engine.js`)
 * that loads one model. A child that dies takes only its pending calls with it; the next call starts a
 * fresh one and loads the model again.
 */
import { EngineConnection, type ConnectionOptions } from './engineConnection';
import { unpackTokenBytes } from '../engine/modelInfo';
import type { EngineGpu, WireBias, WireDistribution, WireModelInfo, WireToken } from '../engine/protocol';
import type { BackendCapabilities, ConnectResult, Distribution, GeneratedToken, GenerateRequest, ModelBackend, ModelSource, StopReason } from './types';
import { BackendError } from './types';

export interface EmbeddedOptions extends ConnectionOptions {
  modelPath: string;
  /** false (the default) runs on the CPU; a GPU needs its binary package installed with the engine. */
  gpu?: EngineGpu;
  /** Evaluation threads; 1 by default, the fastest for small models (see the engine docs). */
  threads?: number;
  /** 0 (the default): the model's training context, capped. */
  contextSize?: number;
}

interface Session {
  connection: EngineConnection;
  loaded: Promise<ConnectResult>;
}

export class EmbeddedBackend implements ModelBackend {
  readonly kind = 'embedded' as const;
  private session: Session | undefined;
  private disposed = false;

  constructor(private readonly options: EmbeddedOptions) {}

  /** The engine child's process id, while one runs. */
  get pid(): number | undefined {
    return this.session?.connection.alive ? this.session.connection.pid : undefined;
  }

  async connect(signal?: AbortSignal): Promise<ConnectResult> {
    return (await this.ready(signal)).result;
  }

  async tokenize(text: string, signal?: AbortSignal): Promise<Uint32Array> {
    const { connection } = await this.ready(signal);
    return Uint32Array.from(await connection.request({ type: 'tokenize', text }, { signal }));
  }

  async *generate(request: GenerateRequest): AsyncGenerator<GeneratedToken, StopReason> {
    const { signal } = request;
    if (signal?.aborted) return 'aborted';
    let connection: EngineConnection;
    try {
      ({ connection } = await this.ready(signal));
    } catch (error) {
      if (signal?.aborted) return 'aborted';
      throw error;
    }
    // Stops the engine when the consumer leaves the loop early, as well as on the caller's signal.
    const stopped = new AbortController();
    const combined = signal ? AbortSignal.any([signal, stopped.signal]) : stopped.signal;
    const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
    const queue: GeneratedToken[] = [];
    let outcome: { reason: StopReason } | { error: unknown } | undefined;
    let notify = () => {};
    const onToken = (token: WireToken) => {
      const bytes = new Uint8Array(Buffer.from(token.bytes, 'base64'));
      // Streaming decode: a token ending inside a character yields its text with the next token.
      queue.push({ id: token.id, bytes, text: decoder.decode(bytes, { stream: true }) });
      notify();
    };
    connection
      .request({ type: 'generate', ...wireRequest(request) }, { signal: combined, onToken })
      .then(
        (value) => (outcome = { reason: value.reason }),
        (error: unknown) => (outcome = { error }),
      )
      .finally(() => notify());
    try {
      // Once aborted, tokens already received are dropped: the caller has moved on.
      while (!signal?.aborted) {
        if (queue.length > 0) yield queue.shift()!;
        else if (outcome) break;
        else await new Promise<void>((resolve) => (notify = resolve));
      }
    } finally {
      if (!outcome) stopped.abort();
    }
    if (signal?.aborted || !outcome) return 'aborted';
    if ('reason' in outcome) return outcome.reason;
    throw outcome.error;
  }

  async nextTokenDistributions(contexts: readonly Uint32Array[], options: { topK?: number; want?: readonly Uint32Array[]; signal?: AbortSignal }): Promise<Distribution[]> {
    const { connection } = await this.ready(options.signal);
    const want = options.topK !== undefined && options.want ? options.want.map((ids) => Array.from(ids)) : undefined;
    const wire = await connection.request(
      { type: 'distributions', contexts: contexts.map((c) => Array.from(c)), topK: options.topK, want },
      { signal: options.signal },
    );
    return wire.map(fromWire);
  }

  /** The model file it runs. */
  modelSource(): ModelSource {
    return { kind: 'gguf-file', path: this.options.modelPath, onThisMachine: true };
  }

  dispose(): void {
    this.disposed = true;
    this.session?.connection.dispose();
    this.session = undefined;
  }

  /** The running engine with the model loaded, starting one if there is none (or it died). */
  private async ready(signal: AbortSignal | undefined): Promise<{ connection: EngineConnection; result: ConnectResult }> {
    signal?.throwIfAborted();
    if (this.disposed) throw new BackendError('The embedded engine was disposed.', this.kind);
    if (!this.session?.connection.alive) this.session = this.start();
    const { connection, loaded } = this.session;
    return { connection, result: await untilAborted(loaded, signal) };
  }

  private start(): Session {
    const connection = new EngineConnection(this.options);
    const loaded = connection
      .request({
        type: 'load',
        modelPath: this.options.modelPath,
        gpu: this.options.gpu ?? false,
        threads: this.options.threads ?? 1,
        contextSize: this.options.contextSize ?? 0,
      })
      .then(connectResult);
    // A model that failed to load leaves nothing worth keeping: the next call starts afresh.
    loaded.catch(() => connection.dispose());
    return { connection, loaded };
  }
}

function wireRequest(request: GenerateRequest) {
  return {
    prompt: 'ids' in request.prompt ? { ids: Array.from(request.prompt.ids) } : { text: request.prompt.text },
    maxTokens: request.maxTokens,
    temperature: request.temperature,
    stop: request.stop,
    grammar: request.grammar,
    tokenBias: request.tokenBias ? [...request.tokenBias].map(([id, bias]): WireBias => [id, bias === -Infinity ? 'never' : bias]) : undefined,
  };
}

function connectResult(wire: WireModelInfo): ConnectResult {
  const table = wire.tokenBytes ? unpackTokenBytes(wire.tokenBytes) : undefined;
  const capabilities: BackendCapabilities = {
    tokenIdPrompts: true,
    distributions: 'full',
    maxTopK: wire.vocabSize,
    promptTokenProbs: true,
    constraints: ['grammar', 'token-bias'],
    infill: false,
    tokenize: true,
    contextSize: wire.contextSize,
  };
  return {
    info: {
      name: wire.name,
      contextSize: wire.contextSize,
      vocabSize: wire.vocabSize,
      bosId: wire.bosId,
      eosId: wire.eosId,
      endIds: wire.endIds,
      fim: wire.fim,
      specialIds: wire.specialIds,
      tokenBytes: table ? (id) => table[id] : undefined,
    },
    capabilities,
  };
}

function fromWire(wire: WireDistribution): Distribution {
  if (wire.kind === 'top') return { kind: 'top', ids: Uint32Array.from(wire.ids), probs: Float64Array.from(wire.probs), otherMass: wire.otherMass, otherMax: wire.otherMax };
  const bytes = Buffer.from(wire.probs, 'base64');
  const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return { kind: 'full', probs: Float64Array.from(floats) };
}

/** Waits for `promise`, or rejects with the signal's reason as soon as it fires (the promise runs on). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
