/**
 * llama.cpp's byte-level BPE pre-tokenizers, by `tokenizer.ggml.pre` name: the regular expressions llama.cpp
 * applies one after the other (each piece of one split again by the next), as its `llm_tokenizer_bpe` writes
 * them. They run in llama.cpp's dialect (see `regexScanner`), so a GGUF counts as llama.cpp counts it,
 * which is what the model sees, even where llama.cpp's adaptation differs from the model's `tokenizer.json`.
 */
import { CL100K_PATTERN, GPT2_PATTERN, QWEN2_PATTERN } from '../pretokenize/scanners';

export interface PreTokenizer {
  patterns: string[];
  /** llama.cpp's `ignore_merges`: a piece that is a token is taken whole. */
  ignoreMerges: boolean;
}

const CONTRACTIONS = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])";
/** llama.cpp's hand-written GPT-2, Llama 3 and Qwen 2 splitters implement these; so do our scanners. */
const GPT2 = GPT2_PATTERN;
const LLAMA3 = CL100K_PATTERN;
const QWEN2 = QWEN2_PATTERN;
const QWEN35 = `${CONTRACTIONS}|[^\\r\\n\\p{L}\\p{N}]?[\\p{L}\\p{M}]+|\\p{N}| ?[^\\s\\p{L}\\p{M}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+`;
const JAIS2 =
  `${CONTRACTIONS}|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|` +
  '\\s{512}(?!\\S)|\\s{256}(?!\\S)|\\s{128}(?!\\S)|\\s{64}(?!\\S)|\\s{32}(?!\\S)|\\s{16}(?!\\S)|\\s{8}(?!\\S)|\\s{4}(?!\\S)|\\s{1,2}(?!\\S)|\\s{1}';
const DEEPSEEK_LLM = [
  '[\r\n]',
  '\\s?[A-Za-z\u00b5\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u01ba\u01bc-\u01bf\u01c4-\u0293\u0295-\u02af\u0370-\u0373\u0376\u0377\u037b-\u037d\u037f\u0386\u0388-\u038a\u038c\u038e-\u03a1\u03a3-\u03f5\u03f7-\u0481\u048a-\u052f\u0531-\u0556\u10a0-\u10c5\u13a0-\u13f5\u13f8-\u13fd\u1c90-\u1cba\u1cbd-\u1cbf\u1d00-\u1d2b\u1d6b-\u1d77\u1d79-\u1d9a\u1e00-\u1f15\u1f18-\u1f1d\u1f20-\u1f45\u1f48-\u1f4d\u1f50-\u1f57\u1f59\u1f5b\u1f5d\u1f5f-\u1f7d\u1f80-\u1fb4\u1fb6-\u1fbc\u1fbe\u1fc2-\u1fc4\u1fc6-\u1fcc\u1fd0-\u1fd3\u1fd6-\u1fdb\u1fe0-\u1fec\u1ff2-\u1ff4\u1ff6-\u1ffc\u2102\u2107\u210a-\u2113\u2115\u2119-\u211d\u2124\u2126\u2128\u212a-\u212d\u212f-\u2134\u2139\u213c-\u213f\u2145-\u2149\u214e\u2183\u2184\u2c00-\u2c7b\u2c7e-\u2ce4\u2ceb-\u2cee\u2cf2\u2cf3\ua640-\ua66d\ua680-\ua69b\ua722-\ua76f\ua771-\ua787\ua78b-\ua78e\uab70-\uabbf\ufb00-\ufb06\ufb13-\ufb17\uff21-\uff3a\uff41-\uff5a\u{10400}-\u{1044f}\u{104b0}-\u{104d3}\u{104d8}-\u{104fb}\u{10c80}-\u{10cb2}\u{10cc0}-\u{10cf2}\u{118a0}-\u{118df}\u{1e900}-\u{1e943}]+',
  '\\s?[!-/:-~\uff01-\uff0f\uff1a-\uff5e\u2018-\u201f\u3000-\u3002]+',
  '\\s+$',
  '[\u4e00-\u9fa5\u0800-\u4e00\uac00-\ud7ff]+',
  '\\p{N}+',
];
const DEEPSEEK_V3 = [
  '\\p{N}{1,3}',
  '[\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff]+',
  '[!"#$%&\'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+',
];
const CASED = (marks: string, digits: string, tail: string) =>
  `[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}${marks}])([^a-z]))*((?=[\\p{L}${marks}])([^A-Z]))+${tail}|` +
  `[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}${marks}])([^a-z]))+((?=[\\p{L}${marks}])([^A-Z]))*${tail}|` +
  `${digits}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+`;
const UPPER = '[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]';
const LOWER = '[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]';
const YOUTU_WORDS =
  `[^\\r\\n\\p{L}\\p{N}]?${UPPER}*${LOWER}+${CONTRACTIONS}?|[^\\r\\n\\p{L}\\p{N}]?${UPPER}+${LOWER}*${CONTRACTIONS}?|` +
  '\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+';
const BLOOM = ' ?[^(\\s|.,!?\u2026\u3002\uff0c\u3001\u0964\u06d4\u060c)]+';
const NEWLINES = '[^\\n]+|[\\n]+';

const GROUPS: [names: string[], patterns: string[], ignoreMerges?: boolean][] = [
  [['default', ''], ['[\\p{P}\\$\\+<=>\\^~\\|]+', GPT2, '\\p{N}+', '[0-9][0-9][0-9]']],
  [['llama3', 'llama-v3', 'llama-bpe', 'falcon3', 'falcon-h1', 'pixtral', 'midm-2.0', 'lfm2', 'jina-v5-nano'], [LLAMA3], true],
  [['dbrx', 'smaug-bpe', 'glm4', 'chatglm-bpe'], [LLAMA3]],
  [['minicpm5'], ['\\p{N}{1,3}', `${CONTRACTIONS}|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}+| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+`], true],
  [['jais-2'], [JAIS2]],
  [['deepseek-llm'], DEEPSEEK_LLM],
  [['deepseek-v3', 'hunyuan-dense', 'joyai-llm'], DEEPSEEK_V3],
  [['youtu'], ['[\uac00-\ud7a3\u3131-\u318e]+|[\uff01\u2026\u201c\u201d\u2018\u2019\u2014\uff1a\uff1b\uff0c\u3001-\u303f\ufe30-\ufe4f]+|[\u3105-\u312f]+|[\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff]+', YOUTU_WORDS], true],
  [['deepseek-coder'], ['[\r\n]', '\\s?\\p{L}+', '\\s?\\p{P}+', '[\u4e00-\u9fa5\u0800-\u4e00\uac00-\ud7ff]+', '\\p{N}']],
  [['falcon'], ['[\\p{P}\\$\\+<=>\\^~\\|`]+', GPT2, '[0-9][0-9][0-9]']],
  [['starcoder', 'refact', 'command-r', 'smollm', 'codeshell', 'exaone', 'minerva-7b', 'mellum2'], ['\\p{N}', GPT2]],
  [['gpt-2', 'phi-2', 'jina-es', 'jina-de', 'gigachat', 'jina-v2-es', 'jina-v2-de', 'a.x-4.0', 'mellum', 'modern-bert'], [GPT2]],
  [['jina-v1-en', 'jina-v2-code', 'roberta-bpe', 'exaone4', 'mpt', 'olmo', 'jais', 'trillion', 'granite-docling'], [GPT2]],
  [['qwen2', 'deepseek-r1-qwen', 'kormo', 'f2llmv2', 'megrez', 'stablelm2', 'hunyuan', 'solar-open', 'grok-2'], [QWEN2]],
  [['qwen35'], [QWEN35]],
  [['poro-chat', 'bloom', 'gpt3-finnish'], [BLOOM]],
  [['viking'], [BLOOM, '\\p{N}']],
  [['tekken'], [CASED('', '\\p{N}', '')], true],
  [['chameleon'], ['<sentinel:[0-9]+>', '(IMGIMG)((A|B|C|D|E|F|G|H|I){1,4})Z', '([\\t\\n]|    |  )', '\\p{N}', '[\\p{P}!-/:-@\\[-`{-~]', GPT2]],
  [['gpt-4o', 'llama4', 'kanana2', 'talkie', 'minimax-m2'], [CASED('', '\\p{N}{1,3}', `${CONTRACTIONS}?`)]],
  [['granite-embed-multi-97m'], [CASED('\\p{M}', '\\p{N}{1,3}', `${CONTRACTIONS}?`)], true],
  [['bailingmoe', 'bailingmoe2', 'llada-moe'], ["'(?:[sSdDmMtT]|[lL][lL]|[vV][eE]|[rR][eE])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]|\\s+(?!\\S)|\\s+"]],
  [['seed-coder'], [`${CONTRACTIONS}|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1}| ?[^\\s\\p{L}\\p{N}\\r\\n]+|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+`]],
  [['laguna'], [NEWLINES, QWEN2]],
  [['exaone-moe'], [`${CONTRACTIONS}|[^\\r\\n\\p{L}\\p{N}]?(?:\\p{L}\\p{M}*(?: \\p{L}\\p{M}*)*)+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]?|\\s*[\\r\\n]|\\s+(?!\\S)|\\s+`]],
];

/** Names llama.cpp knows whose splitting is hand-written there and not (yet) here, or not byte-level. */
const NOT_SUPPORTED: Record<string, string> = {
  'kimi-k2': 'its split is hand-written in llama.cpp',
  afmoe: 'its digit grouping is hand-written in llama.cpp',
  tiny_aya: 'its digit grouping is hand-written in llama.cpp',
  cohere2moe: 'its digit grouping is hand-written in llama.cpp',
  superbpe: 'it splits on empty matches',
  gemma4: 'it is not byte-level',
  'granite-embed-multi-311m': 'it is not byte-level',
  'sarvam-moe': 'it is not byte-level',
  whitespace: 'it is not byte-level',
};

const BY_NAME = new Map<string, PreTokenizer>();
for (const [names, patterns, ignoreMerges] of GROUPS) for (const name of names) BY_NAME.set(name, { patterns, ignoreMerges: ignoreMerges ?? false });

export function supportedPreTokenizers(): string[] {
  return [...BY_NAME.keys()].filter((name) => name !== '');
}

/** The pre-tokenizer a GGUF names (none named: llama.cpp's default), or why it cannot be used. */
export function preTokenizerFor(name: string | undefined): PreTokenizer | string {
  const found = BY_NAME.get(name ?? '');
  if (found) return found;
  const why = NOT_SUPPORTED[name ?? ''];
  return why ? `GGUF pre-tokenizer '${name}' is not supported: ${why}` : `unknown GGUF pre-tokenizer '${name}' (llama.cpp refuses it too)`;
}
