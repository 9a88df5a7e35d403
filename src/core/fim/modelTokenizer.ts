/**
 * The model's own tokenizer for a connected backend. FIM prompts are token ids in the model's vocabulary,
 * so another vocabulary gives a wrong prompt without any error: the tokenizer comes from what the user set,
 * else from the model itself (the embedded engine's file, the file a llama-server on this machine reports,
 * Ollama's GGUF metadata, the tokenizer.json of the directory a vLLM on this machine was started from), and
 * is checked against the backend's own tokenization where it has one.
 */
import { isAbsolute, join } from 'node:path';
import { fileAccess } from '../data/source';
import type { ConnectResult, ModelBackend } from '../backends/types';
import { tokenizerFromGguf } from '../tokenizers/gguf/ggufTokenizer';
import { loadTokenizer } from '../tokenizers/registry';
import type { Tokenizer } from '../tokenizers/types';

export interface ModelTokenizerRequest {
  backend: ModelBackend;
  connected: ConnectResult;
  /** The vocabulary the user gave (it wins): a `.gguf` file, a `tokenizer.json` or a bundled id; empty: find it. */
  vocabulary?: string;
  /** Where the user gives it, as messages name it (`--tokenizer`, `tokenwise.completion.vocabulary`). */
  setting: string;
  /** The backend as the user named it (a URL, a model file), for messages. */
  where: string;
  signal?: AbortSignal;
}

export interface ModelTokenizer {
  tokenizer: Tokenizer;
  /** Where it came from, in words. */
  source: string;
  /** True when the backend's own tokenization confirmed it (false: it cannot tokenize). */
  verified: boolean;
}

export class ModelTokenizerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelTokenizerError';
  }
}

/** Code with spaces, indentation, punctuation, digits and non-ASCII letters: where vocabularies part ways. */
export const PROBE_TEXT = 'def größe(items):\n    return [x * 42 for x in items if x != "café"]  # ok\n';

interface Found {
  tokenizer: Tokenizer;
  source: string;
  /** The user gave it. */
  explicit: boolean;
}

/** Finds the model's tokenizer and checks it; throws a `ModelTokenizerError` saying what to set when it cannot. */
export async function findModelTokenizer(request: ModelTokenizerRequest): Promise<ModelTokenizer> {
  const found = await chooseTokenizer(request);
  const verified = await verifyTokenizer(request, found);
  return { tokenizer: found.tokenizer, source: found.source, verified };
}

async function chooseTokenizer(request: ModelTokenizerRequest): Promise<Found> {
  const vocabulary = request.vocabulary?.trim();
  return vocabulary ? load(vocabulary, `${request.setting} ${vocabulary}`, request, true) : modelsOwn(request);
}

/** The vocabulary the model itself gives: its file, its directory, or its metadata. */
async function modelsOwn(request: ModelTokenizerRequest): Promise<Found> {
  const { backend, connected } = request;
  const source = backend.modelSource?.();
  // The file the engine itself runs (the embedded one): the user chose it.
  if (source?.kind === 'gguf-file' && source.path) return load(source.path, `the model file ${source.path}`, request);
  if (source?.kind === 'metadata') {
    const engine = backend.kind === 'ollama' ? 'Ollama' : backend.kind;
    const name = `${connected.info.name} (${engine})`;
    const where = `${engine}'s metadata for ${connected.info.name}`;
    let tokenizer: Tokenizer;
    try {
      const vocab = source.vocabulary();
      // Without its merges (or scores) the vocabulary would still load, and tokenize wrongly.
      const rules = vocab.model === 'gpt2' ? vocab.merges.length > 0 : vocab.scores !== undefined;
      if (!rules) throw new Error(`no tokenizer.ggml.${vocab.model === 'gpt2' ? 'merges' : 'scores'}`);
      tokenizer = tokenizerFromGguf(vocab, { id: `${backend.kind}:${connected.info.name}`, name, family: 'Local model' });
    } catch (e) {
      throw nothingFound(request, `${where} does not give its tokenizer (${message(e)})`);
    }
    return { tokenizer, source: where, explicit: false };
  }
  if (source?.kind === 'gguf-file') return modelFile(request, source);
  if (source?.kind === 'model-directory') return modelDirectory(request, source);
  throw nothingFound(request, `the ${backend.kind} backend does not say where its vocabulary is`);
}

/** The GGUF file a server names (llama-server's `model_path`): on this machine, absolute, and a model file. */
async function modelFile(request: ModelTokenizerRequest, source: { onThisMachine: boolean }): Promise<Found> {
  const server = `${request.backend.kind} at ${request.where}`;
  const path = request.connected.info.modelPath;
  // A path a remote server names is on its machine, not this one: never read it.
  if (!source.onThisMachine) throw nothingFound(request, `${server} is not on this machine, so its model file cannot be read`);
  if (!path) throw nothingFound(request, `${server} does not report its model file`);
  // Only a model file's metadata is read: any other file could be quoted in an error, and a relative
  // path would resolve against this process's directory, not the server's.
  if (!isLocalAbsolute(path) || !path.endsWith('.gguf')) {
    throw nothingFound(request, `${server} reports its model file as ${path}, which is not an absolute path to a .gguf file, so it is not read`);
  }
  if (!fileAccess(path).kind(path)) throw nothingFound(request, `${server} reports its model file as ${path}, which is not on this machine`);
  return load(path, `the model file ${request.backend.kind} reports (${path})`, request);
}

/**
 * vLLM started from a model directory names it as its model's `root`: that directory's tokenizer.json is the
 * model's own. Only on this machine, only an absolute path, and only that one file in it.
 */
async function modelDirectory(request: ModelTokenizerRequest, source: { onThisMachine: boolean }): Promise<Found> {
  const dir = request.connected.info.modelPath;
  const none = `the OpenAI-compatible server at ${request.where} does not expose its vocabulary`;
  // A path a remote server names is on its machine, not this one: never read it.
  if (!source.onThisMachine) throw nothingFound(request, `${none}, and it is not on this machine, so no model directory it names is read`);
  // A relative path would resolve against this process's directory, not the server's (and a Hugging Face id looks like one).
  if (!dir || !isLocalAbsolute(dir)) throw nothingFound(request, `${none}, and its model (${dir ?? 'not named'}) is not an absolute path to a model directory`);
  if (fileAccess(dir).kind(dir) !== 'directory') throw nothingFound(request, `${none}, and its model directory ${dir} is not on this machine`);
  const file = join(dir, 'tokenizer.json');
  if (fileAccess(file).kind(file) !== 'file') throw nothingFound(request, `the OpenAI-compatible server at ${request.where} was started from ${dir}, which has no tokenizer.json`);
  return load(file, `the tokenizer.json of the model directory the server names (${file})`, request);
}

/** An absolute path on this machine's own disks: a UNC path (`\\host\share`) would reach another machine. */
function isLocalAbsolute(path: string): boolean {
  return isAbsolute(path) && !/^[\\/]{2}/.test(path);
}

async function load(idOrPath: string, source: string, request: ModelTokenizerRequest, explicit = false): Promise<Found> {
  try {
    return { tokenizer: await loadTokenizer(idOrPath), source, explicit };
  } catch (e) {
    throw new ModelTokenizerError(`cannot read the vocabulary of ${source}: ${message(e)}${explicit ? '' : `; ${whatToSet(request.setting)}`}`);
  }
}

/**
 * Equal vocabulary sizes where both are known, and equal ids for the probe text where the backend can
 * tokenize: a mismatch is an error, never a prompt in the wrong vocabulary.
 */
async function verifyTokenizer(request: ModelTokenizerRequest, found: Found): Promise<boolean> {
  const { backend, connected } = request;
  const served = connected.info.vocabSize;
  const own = found.tokenizer.vocabSize;
  // An OpenAI-compatible server (vLLM) reports the width of the logits, which models pad past the tokenizer
  // (Qwen2.5: 151,936 for 151,665 ids); the other engines report the vocabulary's own length.
  const sizesAgree = !served || !own || (backend.kind === 'openai' ? own <= served : own === served);
  if (!sizesAgree) throw mismatch(request, found, `its vocabulary has ${own.toLocaleString('en-US')} ids, the model's ${served.toLocaleString('en-US')}`);
  if (!connected.capabilities.tokenize) return false;
  const want = await backend.tokenize(PROBE_TEXT, request.signal);
  const got = found.tokenizer.encode(PROBE_TEXT);
  const at = firstDifference(got, want);
  if (at >= 0) {
    const show = (ids: Uint32Array) => `[${Array.from(ids.subarray(Math.max(0, at - 2), at + 3)).join(', ')}]`;
    throw mismatch(request, found, `a probe of code is ${got.length} tokens with it and ${want.length} with the backend's own tokenizer, first differing at token ${at}: ${show(got)} against ${show(want)}`);
  }
  return true;
}

function firstDifference(a: Uint32Array, b: Uint32Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

function mismatch(request: ModelTokenizerRequest, found: Found, detail: string): ModelTokenizerError {
  const model = request.backend.kind === 'embedded' ? `the model in ${request.where}` : `the model served at ${request.where}`;
  const unset = found.explicit ? ', or clear it to let Tokenwise find it' : '';
  return new ModelTokenizerError(`${found.source} does not match ${model}: ${detail}; ${whatToSet(request.setting)}${unset}`);
}

function nothingFound(request: ModelTokenizerRequest, why: string): ModelTokenizerError {
  return new ModelTokenizerError(`${why}; ${whatToSet(request.setting)}`);
}

function whatToSet(setting: string): string {
  return `set ${setting} to the model's own vocabulary (FIM prompts are its token ids): its .gguf file, its tokenizer.json or a bundled tokenizer id`;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
