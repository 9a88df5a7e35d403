/**
 * Reads a Hugging Face `tokenizer.json`. Byte-level BPE models (Llama 3, Qwen, DeepSeek, GPT-OSS and
 * most recent open models) become our BPE engine's data; anything else is left to the reference
 * JavaScript library, with the reason recorded.
 */
import type { NormalForm } from '../../text/normalize';
import type { BpeData } from '../bpe/bpeData';
import type { AddedToken } from '../bpe/bpeTokenizer';
import { GPT2_PATTERN } from '../pretokenize/scanners';

export class MalformedTokenizerError extends Error {}

/** GPT-2's map from bytes to the printable characters that byte-level vocabularies are written in. */
export function byteLevelAlphabet(): { toByte: Map<string, number>; toChar: string[] } {
  const toChar: string[] = [];
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    toChar.push(String.fromCharCode(printable ? b : 256 + extra++));
  }
  return { toByte: new Map(toChar.map((c, b) => [c, b])), toChar };
}

interface JsonAddedToken {
  id: number;
  content: string;
  special?: boolean;
  single_word?: boolean;
  lstrip?: boolean;
  rstrip?: boolean;
}

type Json = Record<string, unknown>;
const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Checks the overall shape, so that a wrong file fails with a message that says what is wrong. */
export function checkTokenizerJson(json: unknown, source: string): Json {
  if (!isObject(json)) throw new MalformedTokenizerError(`${source}: not a tokenizer.json (the top level is not an object)`);
  const model = json.model;
  if (!isObject(model)) throw new MalformedTokenizerError(`${source}: no "model" object`);
  if (!isObject(model.vocab) && !Array.isArray(model.vocab)) throw new MalformedTokenizerError(`${source}: the model has no "vocab"`);
  if (json.added_tokens !== undefined && !Array.isArray(json.added_tokens)) throw new MalformedTokenizerError(`${source}: "added_tokens" is not a list`);
  return json;
}

/** Why our engine cannot run this tokenizer, or undefined when it can. */
function unsupported(json: Json): string | undefined {
  const model = json.model as Json;
  if (model.type !== 'BPE') return `model type ${String(model.type)}`;
  if (model.dropout) return 'BPE dropout';
  if (model.byte_fallback) return 'byte fallback';
  if (model.continuing_subword_prefix || model.end_of_word_suffix) return 'subword affixes';
  const norm = json.normalizer as Json | null;
  if (norm && !(norm.type === 'NFC' || (norm.type === 'Sequence' && Array.isArray(norm.normalizers) && norm.normalizers.length === 0))) {
    return `normalizer ${String(norm.type)}`;
  }
  const decoder = json.decoder as Json | null;
  if (!decoder || decoder.type !== 'ByteLevel') return 'not byte-level';
  for (const t of (json.added_tokens as JsonAddedToken[] | undefined) ?? []) {
    if (t.single_word || t.lstrip || t.rstrip) return `added token options on ${t.content}`;
  }
  return preTokenizerPatterns(json.pre_tokenizer) === undefined ? 'pre-tokenizer' : undefined;
}

function preTokenizerPatterns(pre: unknown): string[] | undefined {
  if (!isObject(pre)) return undefined;
  const steps = pre.type === 'Sequence' ? pre.pretokenizers : [pre];
  if (!Array.isArray(steps) || steps.length === 0) return undefined;
  const patterns: string[] = [];
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i] as Json;
    const last = i === steps.length - 1;
    if (step.type === 'ByteLevel' && last) {
      if (step.add_prefix_space) return undefined;
      if (step.use_regex !== false) patterns.push(GPT2_PATTERN);
    } else if (step.type === 'Split' && !last && step.behavior === 'Isolated' && !step.invert && isObject(step.pattern) && typeof step.pattern.Regex === 'string') {
      patterns.push(step.pattern.Regex);
    } else {
      return undefined;
    }
  }
  return patterns.length > 0 ? patterns : undefined;
}

/** Our engine's data for a byte-level BPE tokenizer.json, or the reason it is not one. */
export function bpeDataFromTokenizerJson(raw: unknown, source: string): BpeData | { unsupported: string } {
  const json = checkTokenizerJson(raw, source);
  const reason = unsupported(json);
  if (reason) return { unsupported: reason };
  const model = json.model as Json;
  const vocab = model.vocab as Record<string, number>;
  const { toByte } = byteLevelAlphabet();
  const entries = Object.entries(vocab);
  const added = ((json.added_tokens as JsonAddedToken[] | undefined) ?? []).map<AddedToken>((t) => ({ content: t.content, id: t.id, special: t.special === true }));
  let maxId = -1;
  for (const [, id] of entries) if (id > maxId) maxId = id;
  for (const t of added) if (t.id > maxId) maxId = t.id;
  const lengths = new Uint32Array(maxId + 2);
  const decoded: (Uint8Array | undefined)[] = new Array(maxId + 1);
  const addedContents = new Set(added.map((t) => t.content));
  for (const [piece, id] of entries) {
    if (addedContents.has(piece)) continue;
    if (!Number.isInteger(id) || id < 0) throw new MalformedTokenizerError(`${source}: vocabulary entry ${JSON.stringify(piece)} has id ${id}`);
    const bytes = new Uint8Array(piece.length);
    for (let k = 0; k < piece.length; k++) {
      const b = toByte.get(piece[k]);
      if (b === undefined) return { unsupported: `vocabulary entry ${JSON.stringify(piece)} is not byte-level` };
      bytes[k] = b;
    }
    decoded[id] = bytes;
    lengths[id + 1] = bytes.length;
  }
  const offsets = new Uint32Array(maxId + 2);
  for (let id = 0; id <= maxId; id++) offsets[id + 1] = offsets[id] + lengths[id + 1];
  const bytes = new Uint8Array(offsets[maxId + 1]);
  decoded.forEach((b, id) => b && bytes.set(b, offsets[id]));

  const rawMerges = Array.isArray(model.merges) ? model.merges : [];
  const merges = new Uint32Array(2 * rawMerges.length);
  const results = new Uint32Array(rawMerges.length);
  rawMerges.forEach((m: unknown, r: number) => {
    const pair = typeof m === 'string' ? splitMerge(m) : (m as string[]);
    const [a, b] = pair ?? [];
    const left = vocab[a];
    const right = vocab[b];
    const result = vocab[a + b];
    if (left === undefined || right === undefined || result === undefined) {
      throw new MalformedTokenizerError(`${source}: merge ${r} (${JSON.stringify(m)}) uses a token that is not in the vocabulary`);
    }
    merges[2 * r] = left;
    merges[2 * r + 1] = right;
    results[r] = result;
  });
  const norm = json.normalizer as Json | null;
  const normalization: NormalForm | undefined = norm?.type === 'NFC' ? 'NFC' : undefined;
  return {
    header: {
      kind: 'merges',
      patterns: preTokenizerPatterns(json.pre_tokenizer) as string[],
      addedTokens: added,
      normalization,
      trustWholePieces: model.ignore_merges === true,
      vocabSize: maxId + 1,
    },
    bytes,
    offsets,
    merges,
    results,
  };
}

function splitMerge(m: string): [string, string] | undefined {
  const at = m.indexOf(' ', 1);
  return at < 0 ? undefined : [m.slice(0, at), m.slice(at + 1)];
}
