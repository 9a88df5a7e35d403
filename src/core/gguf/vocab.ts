/**
 * The vocabulary of a GGUF model from its `tokenizer.ggml.*` metadata: tokens, scores, types, merges and
 * special ids (with llama.cpp's fallbacks by token text where a key is missing), and the exact bytes each
 * token stands for.
 */
import { GgufError, GgufValueType, type GgufEntry, type GgufFile } from './reader';
import { EOG_TEXTS, FIM_TEXTS, type FimTokenIds } from './specialTexts';

export type { FimTokenIds };

/** llama.cpp's token types. */
export const GgufTokenType = { UNDEFINED: 0, NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;

export interface GgufVocab {
  /** `tokenizer.ggml.model`: `gpt2` (byte-level BPE), `llama` (SentencePiece), … */
  model: string;
  /** `tokenizer.ggml.pre`, the pre-tokenizer name of BPE models. */
  pre?: string;
  tokens: string[];
  /** One per token; NORMAL where the file has none. */
  types: Int32Array;
  /** SentencePiece merge priorities (higher merges first). */
  scores?: Float32Array;
  /** BPE merge rules, `left right` in the byte alphabet, highest priority first. */
  merges: string[];
  bosId?: number;
  eosId?: number;
  eotId?: number;
  unkId?: number;
  padId?: number;
  fim: FimTokenIds;
  addBos: boolean;
  addEos: boolean;
  /** SentencePiece: prefix text with a space (on by default, as llama.cpp does). */
  addSpacePrefix: boolean;
  name?: string;
  /**
   * Tokens llama.cpp types control by their text although the file does not (FIM and end-of-turn tokens an
   * older conversion marked user-defined or normal): `types` already says control, as llama.cpp's loader
   * makes them, and this says which, for the log.
   */
  retyped: { id: number; text: string; was: number }[];
}

// Token texts llama.cpp recognizes when the id keys are missing (from its vocabulary loader).
const EOT_TEXTS = ['<|eot_id|>', '<|im_end|>', '<|end|>', '<end_of_turn>', '<|endoftext|>', '<|end_of_text|>', '<EOT>', '_<EOT>', '[EOT]', '<｜end▁of▁sentence｜>', '<end_of_utterance>'];
/** Texts llama.cpp makes end-of-generation tokens whatever the keys say, typing them control. */
const FIM_KEYS: Record<keyof FimTokenIds, string> = {
  prefix: 'fim_pre_token_id',
  suffix: 'fim_suf_token_id',
  middle: 'fim_mid_token_id',
  pad: 'fim_pad_token_id',
  repoName: 'fim_rep_token_id',
  fileSeparator: 'fim_sep_token_id',
};
/** Older files name the first three differently. */
const OLD_FIM_KEYS: Partial<Record<keyof FimTokenIds, string>> = { prefix: 'prefix_token_id', suffix: 'suffix_token_id', middle: 'middle_token_id' };

const PREFIX = 'tokenizer.ggml.';

export function ggufVocab(file: GgufFile): GgufVocab {
  const get = (key: string): GgufEntry | undefined => file.metadata.get(PREFIX + key);
  const model = get('model')?.value;
  if (typeof model !== 'string') throw new GgufError('the GGUF file has no tokenizer (tokenizer.ggml.model)');
  const tokensEntry = get('tokens');
  if (!tokensEntry || tokensEntry.itemType !== GgufValueType.STRING) throw new GgufError('the GGUF file has no token list (tokenizer.ggml.tokens)');
  const tokens = tokensEntry.value as string[];
  const n = tokens.length;
  const numbers = (key: string): ArrayLike<number> | undefined => {
    const e = get(key);
    if (!e) return undefined;
    const v = e.value;
    const numeric = ArrayBuffer.isView(v) && !(v instanceof BigInt64Array || v instanceof BigUint64Array || v instanceof DataView);
    if (e.type !== GgufValueType.ARRAY || !numeric || (v as ArrayLike<number>).length !== n) {
      throw new GgufError(`malformed GGUF vocabulary: ${PREFIX}${key} is not a list of ${n} numbers`);
    }
    return e.value as ArrayLike<number>;
  };
  const rawTypes = numbers('token_type');
  const types = rawTypes ? Int32Array.from(rawTypes) : new Int32Array(n).fill(GgufTokenType.NORMAL);
  const rawScores = numbers('scores');
  const merges = get('merges');
  if (merges && merges.itemType !== GgufValueType.STRING) throw new GgufError(`malformed GGUF vocabulary: ${PREFIX}merges is not a list of strings`);
  const id = (key: string): number | undefined => {
    const v = get(key)?.value;
    return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < n ? v : undefined;
  };
  const flag = (key: string, fallback: boolean): boolean => {
    const v = get(key)?.value;
    return typeof v === 'boolean' ? v : fallback;
  };
  const byText = new Map<string, number>();
  tokens.forEach((t, i) => byText.has(t) || byText.set(t, i));
  const findText = (texts: readonly string[]) => {
    for (const t of texts) {
      const i = byText.get(t);
      if (i !== undefined) return i;
    }
    return undefined;
  };
  const spm = model === 'llama';
  // llama.cpp types a token control when it finds it by its text (a role without its key, or an
  // end-of-generation text), and warns: the tokenizer must match those tokens as llama.cpp does.
  const retyped: GgufVocab['retyped'] = [];
  const control = (i: number | undefined) => {
    if (i === undefined || types[i] === GgufTokenType.CONTROL || retyped.some((r) => r.id === i)) return i;
    retyped.push({ id: i, text: tokens[i], was: types[i] });
    types[i] = GgufTokenType.CONTROL;
    return i;
  };
  const fim: FimTokenIds = {};
  for (const k of Object.keys(FIM_KEYS) as (keyof FimTokenIds)[]) {
    const old = OLD_FIM_KEYS[k];
    const v = id(FIM_KEYS[k]) ?? (old ? id(old) : undefined) ?? control(findText(FIM_TEXTS[k]));
    if (v !== undefined) fim[k] = v;
  }
  const eotId = id('eot_token_id') ?? control(findText(EOT_TEXTS));
  for (const text of EOG_TEXTS) control(byText.get(text));
  const pre = get('pre')?.value;
  const name = file.metadata.get('general.name')?.value;
  return {
    model,
    pre: typeof pre === 'string' ? pre : undefined,
    tokens,
    types,
    scores: rawScores ? Float32Array.from(rawScores) : undefined,
    merges: merges ? (merges.value as string[]) : [],
    bosId: id('bos_token_id') ?? (spm ? byText.get('<s>') : undefined),
    eosId: id('eos_token_id') ?? (spm ? byText.get('</s>') : undefined),
    eotId,
    unkId: id('unknown_token_id') ?? (spm ? byText.get('<unk>') : undefined),
    padId: id('padding_token_id'),
    fim,
    addBos: flag('add_bos_token', spm),
    addEos: flag('add_eos_token', false),
    addSpacePrefix: flag('add_space_prefix', spm),
    name: typeof name === 'string' ? name : undefined,
    retyped,
  };
}

let gpt2Bytes: Map<number, number> | undefined;

/** GPT-2's printable stand-in code point → the byte it stands for. */
function gpt2ByteOf(): Map<number, number> {
  if (gpt2Bytes) return gpt2Bytes;
  gpt2Bytes = new Map();
  let next = 256;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    gpt2Bytes.set(printable ? b : next++, b);
  }
  return gpt2Bytes;
}

const EMPTY = new Uint8Array(0);
const BYTE_TOKEN = /^<0x([0-9A-Fa-f]{2})>$/;

/** Token types that stand for no text: unknown, control, unused. */
export function isTextless(type: number | undefined): boolean {
  return type === GgufTokenType.UNKNOWN || type === GgufTokenType.CONTROL || type === GgufTokenType.UNUSED;
}

/**
 * The exact bytes of every token, as llama.cpp's `token_to_piece` writes them out: byte-level BPE ('gpt2')
 * pieces through the GPT-2 byte alphabet, SentencePiece ('llama') pieces with ▁ as a space and `<0xNN>` as
 * that byte, user-defined tokens as written; textless tokens (control, unknown, unused, undefined) are empty.
 * A missing type counts as normal (Ollama's `/api/show` may leave types out).
 */
export function tokenBytesOf(model: string, tokens: readonly string[], types?: ArrayLike<number>): Uint8Array[] {
  const encoder = new TextEncoder();
  const byteOf = gpt2ByteOf();
  const byteLevel = model === 'gpt2';
  return tokens.map((text, i) => {
    const type = types?.[i] ?? GgufTokenType.NORMAL;
    if (isTextless(type) || type === GgufTokenType.UNDEFINED) return EMPTY;
    if (type === GgufTokenType.USER_DEFINED) return encoder.encode(text);
    if (type === GgufTokenType.BYTE) {
      const m = BYTE_TOKEN.exec(text);
      if (m) return Uint8Array.of(parseInt(m[1], 16));
    }
    if (!byteLevel) return encoder.encode(text.replaceAll('\u2581', ' '));
    const out = new Uint8Array(text.length);
    let k = 0;
    for (const ch of text) {
      const b = byteOf.get(ch.codePointAt(0) as number);
      // A character outside the alphabet is kept as its UTF-8 (a malformed vocabulary, not a crash).
      if (b === undefined) return encoder.encode(text);
      out[k++] = b;
    }
    return out.subarray(0, k);
  });
}

export function ggufTokenBytes(vocab: GgufVocab): Uint8Array[] {
  return tokenBytesOf(vocab.model, vocab.tokens, vocab.types);
}
