/**
 * What Tokenwise needs from a model engine, whichever it is: llama-server, an OpenAI-compatible server
 * (vLLM), Ollama, or the embedded llama.cpp engine. Every call takes an AbortSignal; token ids are in the
 * model's own vocabulary.
 */
import type { FimTokenIds, GgufVocab } from '../gguf/vocab';

export type { FimTokenIds };

export type BackendKind = 'llama-server' | 'openai' | 'ollama' | 'embedded';

export interface BackendModelInfo {
  /** The model's name as the engine reports it (or the GGUF file name). */
  name: string;
  /**
   * The model as the engine names it: the model file (llama-server `/props`), or the model it was started
   * with (vLLM `/v1/models` `root`: a Hugging Face id or a directory). A path on the engine's machine, which
   * may not be this one.
   */
  modelPath?: string;
  /** The context size the engine really serves (per slot for llama-server). */
  contextSize: number;
  vocabSize: number;
  bosId?: number;
  eosId?: number;
  /** End-of-turn / end-of-generation ids besides eos (`<|im_end|>`, `<|eot_id|>`, `<EOT>`…). */
  endIds: number[];
  fim: FimTokenIds;
  /** Ids of control (special) tokens: they never stand for text. */
  specialIds: number[];
  /**
   * The exact bytes each id stands for, where the engine lets us know them (GGUF metadata, `/tokenize`
   * pieces, `bytes` arrays); empty for special tokens. Undefined when unknown.
   */
  tokenBytes?: (id: number) => Uint8Array | undefined;
}

export interface BackendCapabilities {
  /** Prompts can be token ids (else text only: Ollama). */
  tokenIdPrompts: boolean;
  /** Next-token distributions: the full vocabulary, the top k, or none. */
  distributions: 'full' | 'top-k' | 'none';
  /** The largest k for top-k distributions (the vocabulary size when full). */
  maxTopK: number;
  /** Probabilities of tokens already in the prompt (teacher-forced). */
  promptTokenProbs: boolean;
  /** Ways to constrain what is generated. */
  constraints: ('grammar' | 'regex' | 'token-bias')[];
  /** A server-side infill endpoint (llama-server `/infill`). */
  infill: boolean;
  tokenize: boolean;
  /** The context size the engine really serves. */
  contextSize: number;
}

export type Prompt = { ids: Uint32Array } | { text: string };

export interface GenerateRequest {
  prompt: Prompt;
  maxTokens: number;
  /** 0 (default) is greedy. */
  temperature?: number;
  /** Text at which generation stops (not included in the output). */
  stop?: string[];
  /** Constraints, where `capabilities.constraints` says the engine has them. */
  grammar?: string;
  regex?: string;
  /** Additive logit bias per id (-Infinity bans an id). */
  tokenBias?: ReadonlyMap<number, number>;
  /** Also return the raw top-k distribution at each generated token (0 or absent: none). */
  topK?: number;
  signal?: AbortSignal;
}

export interface GeneratedToken {
  /** Undefined where the engine streams text only. */
  id?: number;
  /** The token's exact bytes where known. */
  bytes?: Uint8Array;
  text: string;
  /** The raw distribution this token was drawn from, when `topK` was asked. */
  top?: Distribution;
}

export type StopReason = 'eos' | 'stop' | 'length' | 'aborted';

export type Distribution =
  /** probs[id] for every id of the vocabulary. */
  | { kind: 'full'; probs: Float64Array }
  /**
   * The top k ids, most probable first, and their probabilities (with the ids asked for in `want`, where the
   * engine can list them); the unlisted ids' total and a bound on each, where the engine says them.
   */
  | { kind: 'top'; ids: Uint32Array; probs: Float64Array; otherMass?: number; otherMax?: number };

export interface ConnectResult {
  info: BackendModelInfo;
  capabilities: BackendCapabilities;
}

export interface ModelBackend {
  readonly kind: BackendKind;
  /** Checks the engine is there and learns what it can do; call before anything else. */
  connect(signal?: AbortSignal): Promise<ConnectResult>;
  /** The engine's own tokenization, special-token text as plain text. */
  tokenize(text: string, signal?: AbortSignal): Promise<Uint32Array>;
  /** Streams generated tokens; the return value says why it stopped. */
  generate(request: GenerateRequest): AsyncGenerator<GeneratedToken, StopReason>;
  /**
   * Raw (pre-sampling) next-token distributions after each context, in one batch where the engine allows;
   * present when `capabilities.distributions` is not 'none'. An empty context means the start of text.
   */
  nextTokenDistributions?(contexts: readonly Uint32Array[], options: { topK?: number; want?: readonly Uint32Array[]; signal?: AbortSignal }): Promise<Distribution[]>;
  /** Where the model's own vocabulary can be read, once connected; absent where the backend cannot say. */
  modelSource?(): ModelSource;
  /**
   * Learns the exact bytes of every token, for an engine that tells them only with its distributions
   * (llama-server); the exact method needs them all. Absent where they are known at `connect()`.
   */
  loadTokenBytes?(signal?: AbortSignal): Promise<void>;
  /** Ends requests in flight and frees what the backend holds (a child process, sockets). */
  dispose(): void;
}

/**
 * The model's vocabulary as the backend knows it: the GGUF file it runs (the embedded engine's `path`), a
 * GGUF file or model directory a server names as `info.modelPath` (readable only where `onThisMachine`),
 * or metadata it gave at `connect()`.
 */
export type ModelSource =
  | { kind: 'gguf-file'; path?: string; onThisMachine: boolean }
  | { kind: 'model-directory'; onThisMachine: boolean }
  | { kind: 'metadata'; vocabulary: () => GgufVocab };

/** A backend error the user should read as is: the engine's own message, and where it came from. */
export class BackendError extends Error {
  constructor(
    message: string,
    readonly kind: BackendKind,
    cause?: unknown,
  ) {
    super(message, { cause });
    this.name = 'BackendError';
  }
}

/** Nothing answers at the backend's address, or the connection dropped: it may come back by itself. */
export class BackendUnreachable extends BackendError {}
