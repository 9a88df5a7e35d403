/**
 * The chat template's own tokens for a request shaped as [system message] + one user message holding all
 * the context + the prompt that starts the reply. Where Tokenwise ships the model's template, it is
 * rendered with placeholder contents and only the text around them is counted (special tokens parsed);
 * the contents are the user's and are counted apart, as plain text.
 */
import { Template } from '@huggingface/jinja';
import type { Tokenizer } from '../tokenizers/types';
import type { ModelInfo } from './modelCatalog';
import { bundledTemplate } from './templateData';

export interface TemplateOverhead {
  tokens: number;
  /** A documented estimate rather than the model's own template counted with its own tokenizer. */
  estimate: boolean;
  /** How the number was obtained, in plain words, for a tooltip or a table. */
  detail: string;
  /** The format's name, for a label: "Qwen 3", "Llama 3.1", "OpenAI". */
  name: string;
  /** Which contents the template trims (whitespace at their ends is then not sent). */
  trims: { system: boolean; user: boolean };
}

// Private-use placeholders: no template writes them, so splitting on them finds exactly the contents.
const SYSTEM = '\uE000S\uE000';
const USER = '\uE000U\uE000';
/** An empty content that must survive a template's `| trim` (removed after rendering). */
const EMPTY = '\uE000E\uE000';

type Message = { role: 'system' | 'user'; content: string };

interface RenderedVariant {
  kind: 'rendered';
  key: string;
  name: string;
  estimate: boolean;
  /** The request with SYSTEM and USER in place of the contents. */
  render(system: string | undefined, user: string): string;
  describe(hasSystem: boolean): string;
}

interface CountedVariant {
  kind: 'counted';
  key: string;
  name: string;
  estimate: boolean;
  count(tokenizer: Tokenizer, hasSystem: boolean): number;
  describe(hasSystem: boolean): string;
}

type Variant = RenderedVariant | CountedVariant;

// Keyed by the entry, so that data handed over later is parsed afresh.
const parsed = new WeakMap<object, Template>();

/** Renders a bundled template for [system?, user] with the reply prompt; BOS appears once. */
function renderBundled(tokenizerId: string, messages: Message[], suffix = ''): string {
  const entry = bundledTemplate(tokenizerId);
  if (!entry) throw new Error(`no bundled chat template for ${tokenizerId}`);
  let template = parsed.get(entry);
  if (!template) parsed.set(entry, (template = new Template(entry.chatTemplate)));
  let text = template.render({ messages, add_generation_prompt: true, bos_token: entry.bosToken ?? '', eos_token: entry.eosToken ?? '' });
  // Transformers encodes the rendered chat without adding special tokens: a template that writes BOS
  // has it once. One that does not gets the tokenizer's own, when the tokenizer adds it.
  if (entry.addBosToken && entry.bosToken && !text.startsWith(entry.bosToken)) text = entry.bosToken + text;
  return text.replaceAll(EMPTY, '') + suffix;
}

const headers = (hasSystem: boolean) => (hasSystem ? 'system and user headers' : 'user header');

function bundled(key: string, tokenizerId: string, name: string, options: Partial<Pick<RenderedVariant, 'render' | 'describe' | 'estimate'>> = {}): RenderedVariant {
  return {
    kind: 'rendered',
    key,
    name,
    estimate: options.estimate ?? false,
    render: options.render ?? ((system, user) => renderBundled(tokenizerId, [...(system === undefined ? [] : [{ role: 'system' as const, content: system }]), { role: 'user', content: user }])),
    describe: options.describe ?? ((hasSystem) => `Rendered from ${name}'s chat template: ${headers(hasSystem)}, generation prompt`),
  };
}

// Llama 3.1, 3.2 and 3.3 always write a system block with a knowledge date and today's date. 3.1's
// default date is used; 3.2 and 3.3 write the server's date, of the same length in tokens.
const LLAMA_DATES = 'Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n';

// Qwen 2.5 adds this system prompt when the request has none.
const QWEN25_SYSTEM = 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.';

// gpt-oss's harmony format (its chat_template.jinja, Apache-2.0): a fixed system message, the user's
// system prompt as a developer message, and the reply prompt. The date is the server's; any date in
// this form has the same tokens.
const HARMONY_SYSTEM =
  '<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.\nKnowledge cutoff: 2024-06\nCurrent date: 2025-08-05\n\n' +
  'Reasoning: medium\n\n# Valid channels: analysis, commentary, final. Channel must be included for every message.<|end|>';

const VARIANTS = {
  llama3: bundled('llama3', 'llama3', 'Llama 3'),
  llama31: bundled('llama31', 'llama3', 'Llama 3.1', {
    estimate: true,
    render: (system, user) =>
      renderBundled('llama3', [
        { role: 'system', content: LLAMA_DATES + (system ?? EMPTY) },
        { role: 'user', content: user },
      ]),
    describe: () => "Estimate from Llama 3.1's chat template: the system block with date lines it always adds (a fixed date), user header, generation prompt",
  }),
  qwen3: bundled('qwen3', 'qwen3', 'Qwen 3'),
  qwen25: bundled('qwen25', 'qwen3', 'Qwen 2.5', {
    render: (system, user) =>
      renderBundled('qwen3', [
        { role: 'system', content: system ?? QWEN25_SYSTEM },
        { role: 'user', content: user },
      ]),
    describe: (hasSystem) => `Rendered from Qwen 2.5's chat template: ${hasSystem ? headers(true) : 'the default system prompt it adds when there is none, user header'}, generation prompt`,
  }),
  deepseekV3: bundled('deepseekV3', 'deepseek_v3', 'DeepSeek V3', {
    describe: (hasSystem) => `Rendered from DeepSeek V3's chat template: start token, user marker, generation prompt${hasSystem ? ' (the system prompt has no header)' : ''}`,
  }),
  deepseekR1: bundled('deepseekR1', 'deepseek_v3', 'DeepSeek R1', {
    render: (system, user) => renderBundled('deepseek_v3', [...(system === undefined ? [] : [{ role: 'system' as const, content: system }]), { role: 'user', content: user }], '<think>\n'),
    describe: (hasSystem) => `Rendered from DeepSeek's chat template: start token, user marker, generation prompt with the <think> that R1 adds${hasSystem ? ' (the system prompt has no header)' : ''}`,
  }),
  gemma3: bundled('gemma3', 'gemma3', 'Gemma 3', {
    describe: (hasSystem) => `Rendered from Gemma 3's chat template: start token, user turn${hasSystem ? ' (the system prompt goes at its start)' : ''}, generation prompt`,
  }),
  harmony: {
    kind: 'rendered',
    key: 'harmony',
    name: 'gpt-oss',
    estimate: false,
    render: (system, user) => `${HARMONY_SYSTEM}${system === undefined ? '' : `<|start|>developer<|message|># Instructions\n\n${system}\n\n<|end|>`}<|start|>user<|message|>${user}<|end|><|start|>assistant`,
    describe: (hasSystem) => `gpt-oss's harmony format: the system message it always adds${hasSystem ? ', your system prompt as developer instructions' : ''}, user header, generation prompt`,
  },
  // OpenAI's cookbook (How to count tokens with tiktoken): 3 tokens per message, plus its role's
  // tokens, and 3 that prime the reply.
  openai: {
    kind: 'counted',
    key: 'openai',
    name: 'OpenAI',
    estimate: false,
    count: (tokenizer, hasSystem) => (hasSystem ? ['system', 'user'] : ['user']).reduce((n, role) => n + 3 + tokenizer.count(role), 3),
    describe: () => "As OpenAI's cookbook counts: 3 tokens per message plus its role, and 3 that start the reply",
  },
  // A third-party measurement with Anthropic's token counting: "Hi" (1 token) costs 8 input tokens.
  claude: fixed('claude', 'Claude', () => 7, () => "Estimate: Claude's chat format is not published; about 7 tokens per request, as measured with Anthropic's token counting"),
  // Gemini's format is not published; Gemma 3's framing stands in: 1 to start, 5 per turn, 3 for the reply.
  gemini: fixed('gemini', 'Gemini', (hasSystem) => 1 + 5 * turns(hasSystem) + 3, () => "Estimate: Gemini's chat format is not published; counted as Gemma 3 frames a request, 5 tokens per message"),
  // Mistral's tokenizers: <s>, then [INST] … [/INST] (or [SYSTEM_PROMPT] … [/SYSTEM_PROMPT]) around each message.
  mistral: fixed('mistral', 'Mistral', (hasSystem) => 1 + 2 * turns(hasSystem), () => "Estimate: Mistral's format, a start token and 2 control tokens per message"),
  other: fixed('other', 'estimate', (hasSystem) => 4 * turns(hasSystem) + 3, () => 'Estimate: no chat template is known for this model; counted as a typical chat format, 4 tokens per message and 3 for the reply'),
} satisfies Record<string, Variant>;

function turns(hasSystem: boolean): number {
  return hasSystem ? 2 : 1;
}

function fixed(key: string, name: string, tokens: (hasSystem: boolean) => number, describe: () => string): CountedVariant {
  return { kind: 'counted', key, name, estimate: true, count: (_tokenizer, hasSystem) => tokens(hasSystem), describe };
}

/** The template of a model: its family's bundled one (with the model's own variations), or an estimate. */
function variantFor(model: ModelInfo): { variant: Variant; templateTokenizer?: string } {
  const id = model.id;
  if (model.tokenizerExact) {
    switch (model.tokenizer) {
      case 'llama3':
        return { variant: /llama-?3\.[1-9]/i.test(id) ? VARIANTS.llama31 : VARIANTS.llama3, templateTokenizer: 'llama3' };
      case 'qwen3':
        return { variant: /qwen-?2\.5/i.test(id) ? VARIANTS.qwen25 : VARIANTS.qwen3, templateTokenizer: 'qwen3' };
      case 'deepseek_v3':
        return { variant: /r1|reasoner/i.test(id) ? VARIANTS.deepseekR1 : VARIANTS.deepseekV3, templateTokenizer: 'deepseek_v3' };
      case 'gemma3':
        return { variant: VARIANTS.gemma3, templateTokenizer: 'gemma3' };
      case 'o200k_harmony':
        return { variant: VARIANTS.harmony, templateTokenizer: 'o200k_harmony' };
      case 'o200k_base':
      case 'cl100k_base':
        return { variant: VARIANTS.openai };
    }
  }
  if (/claude/i.test(id)) return { variant: VARIANTS.claude };
  if (/gemini/i.test(id)) return { variant: VARIANTS.gemini };
  if (/mistral|mixtral|codestral|devstral|magistral|pixtral|ministral/i.test(id)) return { variant: VARIANTS.mistral };
  return { variant: VARIANTS.other };
}

/** Tokens of the template text around the contents: special-token text in it is parsed as such. */
function countAround(rendered: string, tokenizer: Tokenizer): number {
  let tokens = 0;
  for (const piece of rendered.split(/\uE000[SU]\uE000/)) if (piece) tokens += tokenizer.count(piece, { parseSpecialTokens: true });
  return tokens;
}

/** Whether rendering drops whitespace at the ends of each content. */
function trimsOf(variant: RenderedVariant): TemplateOverhead['trims'] {
  const rendered = variant.render(` ${SYSTEM} `, ` ${USER} `);
  return { system: !rendered.includes(` ${SYSTEM} `), user: !rendered.includes(` ${USER} `) };
}

// Template data is given once, before the first count, so results hold for the session.
const cache = new Map<string, TemplateOverhead>();

/**
 * The template's own tokens for [system message if `hasSystem`] + one user message + the generation
 * prompt, counted with `tokenizer`.
 */
export function templateOverhead(model: ModelInfo, tokenizer: Tokenizer, hasSystem: boolean): TemplateOverhead {
  const { variant, templateTokenizer } = variantFor(model);
  const key = `${tokenizer.id}\0${hasSystem}\0${variant.key}`;
  let result = cache.get(key);
  if (!result) {
    let detail = variant.describe(hasSystem);
    let estimate = variant.estimate;
    // Another tokenizer does not know the template's special tokens: they are counted as text.
    if (templateTokenizer && templateTokenizer !== tokenizer.id) {
      estimate = true;
      detail += `; counted with ${tokenizer.id} rather than the model's tokenizer`;
    }
    result =
      variant.kind === 'rendered'
        ? { tokens: countAround(variant.render(hasSystem ? SYSTEM : undefined, USER), tokenizer), estimate, detail, name: variant.name, trims: trimsOf(variant) }
        : { tokens: variant.count(tokenizer, hasSystem), estimate, detail, name: variant.name, trims: { system: false, user: false } };
    cache.set(key, result);
  }
  return { ...result, trims: { ...result.trims } };
}
