/**
 * The messages between Tokenwise and the embedded engine child (`dist/engine.js`): one JSON object per line
 * over stdin/stdout. Every request carries an id chosen by the client; the engine answers each with exactly
 * one `result` or `error`, and streams `token` events before the `result` of a `generate`. Binary data
 * (token bytes, full distributions) travels as base64 so that large vocabularies stay compact and exact.
 */
import type { FimTokenIds } from '../gguf/vocab';

export type EngineGpu = 'auto' | 'cuda' | 'vulkan' | 'metal' | false;

export interface LoadRequest {
  type: 'load';
  id: number;
  modelPath: string;
  gpu: EngineGpu;
  /** CPU threads for evaluation; 1 is far faster on tiny models (thread synchronisation dominates). */
  threads: number;
  /** Tokens; 0 means the model's training context, at most `MAX_DEFAULT_CONTEXT`. */
  contextSize: number;
}

export interface TokenizeRequest {
  type: 'tokenize';
  id: number;
  text: string;
}

/** A logit added to one id; 'never' bans it (JSON has no -Infinity). */
export type WireBias = [id: number, bias: number | 'never'];

export interface GenerateWireRequest {
  type: 'generate';
  id: number;
  /** Token ids used as given, or text tokenized by the engine (with BOS when the model wants one). */
  prompt: { ids: number[] } | { text: string };
  maxTokens: number;
  temperature?: number;
  stop?: string[];
  grammar?: string;
  tokenBias?: WireBias[];
}

export interface DistributionsRequest {
  type: 'distributions';
  id: number;
  /** Token-id contexts; an empty one means the start of text. */
  contexts: number[][];
  /** Top k only; absent for the full vocabulary. */
  topK?: number;
  /** Per context, ids listed besides the top k with their exact probabilities (with `topK` only). */
  want?: number[][];
}

export interface CancelRequest {
  type: 'cancel';
  /** The id of the request to stop. */
  id: number;
}

export type EngineRequest = LoadRequest | TokenizeRequest | GenerateWireRequest | DistributionsRequest | CancelRequest;

/** Exact token bytes: `lengths[id]` bytes each, concatenated in id order; -1 where unknown. */
export interface WireTokenBytes {
  data: string;
  lengths: number[];
}

export interface WireModelInfo {
  name: string;
  contextSize: number;
  vocabSize: number;
  bosId?: number;
  eosId?: number;
  endIds: number[];
  fim: FimTokenIds;
  specialIds: number[];
  /** Absent when the vocabulary's type has no known byte decoding. */
  tokenBytes?: WireTokenBytes;
  gpu: string | false;
  threads: number;
}

export type WireDistribution =
  /** Float32 probabilities (what llama.cpp computes), one per id. */
  | { kind: 'full'; probs: string }
  /** The listed ids' probabilities, and what is left: the unlisted ids' total, and a bound on each of them. */
  | { kind: 'top'; ids: number[]; probs: number[]; otherMass?: number; otherMax?: number };

export type WireStopReason = 'eos' | 'stop' | 'length' | 'aborted';

/** A generated token, or (id absent) the part of the last token before a stop sequence. */
export interface WireToken {
  id?: number;
  /** Base64 of the token's exact bytes. */
  bytes: string;
}

export interface ResultMap {
  load: WireModelInfo;
  tokenize: number[];
  generate: { reason: WireStopReason; promptTokens: number };
  distributions: WireDistribution[];
}

export type EngineMessage =
  /** Sent once the child runs, before any request is read. */
  | { type: 'ready'; pid: number }
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; message: string }
  | { type: 'token'; id: number; token: WireToken };

/** Where the engine finds node-llama-cpp: `--engine-dir <dir>` on its command line, or this variable. */
export const ENGINE_DIR_ENV = 'TOKENWISE_ENGINE_DIR';
export const ENGINE_DIR_FLAG = '--engine-dir';

/** The context size used when the caller asks for 0 and the model was trained on more. */
export const MAX_DEFAULT_CONTEXT = 8192;
