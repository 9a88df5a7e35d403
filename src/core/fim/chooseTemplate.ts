/**
 * Picks a FIM template from the model's own metadata (its FIM ids and their token texts), and checks a
 * template against the model's vocabulary: every sentinel must be exactly one special token. A mismatch
 * is reported sentinel by sentinel, never guessed around.
 */
import type { FimTokenIds } from '../backends/types';
import { decodeUtf8 } from '../text/utf8';
import type { Tokenizer } from '../tokenizers/types';
import { FIM_TEMPLATES, templateRoles, type FimTemplate, type FimTemplateId, type SentinelRole } from './templates';

/** Token texts of a vocabulary, by id and (where known) back. */
export interface VocabLookup {
  tokenText(id: number): string | undefined;
  /** The id of the token spelled exactly so, if there is one. */
  idOf?(text: string): number | undefined;
}

export interface ChooseInput {
  fim: FimTokenIds;
  /** The model's name: only tells Qwen3-Coder from Qwen2.5-Coder, which share one format. */
  name?: string;
  /** The user's choice, which always wins. */
  userTemplate?: FimTemplateId;
}

export type ChooseResult =
  | { template: FimTemplate; reason: string }
  | { template: undefined; reason: string };

const CODEGEMMA_FILE = '<|file_separator|>';

/** Which family a prefix-sentinel text belongs to; refined below where families share a text. */
function familyOf(prefixText: string): FimTemplateId | undefined {
  switch (prefixText) {
    case '<|fim_prefix|>':
      return 'qwen2.5-coder';
    case '<fim_prefix>':
      return 'starcoder';
    case '<\uff5cfim\u2581begin\uff5c>':
      return 'deepseek-coder';
    case '\u2581<PRE>':
    case '<PRE>':
      return 'codellama-psm';
    default:
      return undefined;
  }
}

export function chooseTemplate(input: ChooseInput, vocab: VocabLookup): ChooseResult {
  if (input.userTemplate) return { template: FIM_TEMPLATES[input.userTemplate], reason: 'set by the user' };
  const text = (id: number | undefined) => (id === undefined ? undefined : vocab.tokenText(id));
  const has = (t: string) => vocab.idOf?.(t) !== undefined;
  const prefixText = text(input.fim.prefix);
  if (prefixText === undefined) {
    // llama.cpp does not recognize Mistral's control tokens, so Codestral GGUFs carry no FIM ids.
    if (has('[SUFFIX]') && has('[PREFIX]')) return { template: FIM_TEMPLATES.codestral, reason: 'the vocabulary has [SUFFIX] and [PREFIX]' };
    return { template: undefined, reason: 'the model has no FIM prefix token' };
  }
  let id = familyOf(prefixText);
  if (!id) return { template: undefined, reason: `no known template uses ${JSON.stringify(prefixText)} as its prefix sentinel` };
  if (id === 'qwen2.5-coder') {
    // CodeGemma spells its FIM tokens as Qwen does; its file separator and the missing FIM pad tell them apart.
    const sep = text(input.fim.fileSeparator);
    const codegemma = sep === CODEGEMMA_FILE || (sep === undefined && input.fim.pad === undefined && has(CODEGEMMA_FILE));
    if (codegemma) id = 'codegemma';
    else if (/qwen3/i.test(input.name ?? '')) id = 'qwen3-coder';
  }
  if (id === 'starcoder' && (has('<file_sep>') || text(input.fim.fileSeparator) === '<file_sep>')) id = 'starcoder2';
  const template = FIM_TEMPLATES[id];
  for (const role of ['suffix', 'middle'] as const) {
    const want = template.sentinels[role];
    const got = text(input.fim[role]);
    if (want !== undefined && got !== undefined && got !== want) {
      return { template: undefined, reason: `the model's FIM ${role} token is ${JSON.stringify(got)}, but ${template.name} uses ${JSON.stringify(want)}` };
    }
  }
  return { template, reason: `the model's FIM prefix token is ${JSON.stringify(prefixText)}` };
}

/** What `checkTemplate` needs from a vocabulary. */
export interface SentinelVocab {
  /** Ids of a text with special-token parsing on. */
  encodeSpecial(text: string): ArrayLike<number>;
  /** Ids of a text as user content (special-token parsing off). */
  encodePlain(text: string): ArrayLike<number>;
  /** True for control tokens: ids that never stand for text. */
  isSpecial(id: number): boolean;
  tokenText(id: number): string | undefined;
}

/**
 * A `SentinelVocab` over the model's own tokenizer. `specialIds` adds the ids the engine reports as control
 * tokens (`BackendModelInfo.specialIds`) to those the tokenizer itself marks special.
 */
export function sentinelVocab(tokenizer: Tokenizer, specialIds: Iterable<number> = []): SentinelVocab {
  const extra = new Set(specialIds);
  return {
    encodeSpecial: (t) => tokenizer.encode(t, { parseSpecialTokens: true }),
    encodePlain: (t) => tokenizer.encode(t),
    isSpecial: (id) => extra.has(id) || tokenizer.specialToken(id) !== undefined,
    tokenText: (id) => {
      const special = tokenizer.specialToken(id);
      if (special !== undefined) return special;
      const bytes = tokenizer.tokenBytes(id);
      return bytes && decodeUtf8(bytes);
    },
  };
}

export type SentinelProblem =
  /** The text is no token at all: it encodes to several (an ASCII look-alike, another family's spelling). */
  | 'split'
  /** One token, but an ordinary one: user code could produce it, and the model never saw it as a sentinel. */
  | 'not-special'
  /** One special token, but not the id the model's metadata names for this role. */
  | 'wrong-id';

export interface SentinelCheck {
  role: SentinelRole | 'stop';
  text: string;
  /** What the text encodes to with special-token parsing on. */
  ids: number[];
  /** The token text of each id, to show the user. */
  pieces: (string | undefined)[];
  /** The single id, when the text is one special token. */
  id?: number;
  /** True when plain user text spelling the sentinel also becomes this id (the prompt builder escapes it). */
  matchedInText: boolean;
  problem?: SentinelProblem;
}

export interface TemplateCheck {
  template: FimTemplateId;
  /** Every sentinel is one special token and at least one stop token exists. */
  ok: boolean;
  sentinels: SentinelCheck[];
  stops: SentinelCheck[];
  /** Ids by role, for `buildFimPrompt`; complete only when `ok`. */
  ids: Partial<Record<SentinelRole, number>>;
  /** Ids of the stop tokens that exist. */
  stopIds: number[];
}

function checkOne(role: SentinelRole | 'stop', text: string, vocab: SentinelVocab, expected?: number): SentinelCheck {
  const ids = Array.from(vocab.encodeSpecial(text));
  const pieces = ids.map((id) => vocab.tokenText(id));
  const plain = Array.from(vocab.encodePlain(text));
  const check: SentinelCheck = { role, text, ids, pieces, matchedInText: plain.length === 1 && ids.length === 1 && plain[0] === ids[0] };
  // The model names this token for the role (an older conversion may type it user-defined or normal):
  // prompts are ids, so llama.cpp uses it whatever its type, and so does Tokenwise.
  if (expected !== undefined && vocab.tokenText(expected) === text) {
    check.id = expected;
    check.matchedInText = plain.length === 1 && plain[0] === expected;
  } else if (ids.length !== 1) check.problem = 'split';
  else if (!vocab.isSpecial(ids[0])) check.problem = 'not-special';
  else if (expected !== undefined && expected !== ids[0]) check.problem = 'wrong-id';
  else check.id = ids[0];
  return check;
}

/**
 * Checks every sentinel and stop token of a template against a vocabulary. `fim` (the model's FIM ids)
 * makes a sentinel that is a special token, but not the one the model names for that role, a mismatch.
 */
export function checkTemplate(template: FimTemplate, vocab: SentinelVocab, fim: FimTokenIds = {}): TemplateCheck {
  const sentinels = templateRoles(template).map((role) => checkOne(role, template.sentinels[role] as string, vocab, role === 'bos' ? undefined : fim[role]));
  const stops = template.stops.map((t) => checkOne('stop', t, vocab));
  const ids: Partial<Record<SentinelRole, number>> = {};
  for (const s of sentinels) if (s.id !== undefined) ids[s.role as SentinelRole] = s.id;
  const stopIds = stops.flatMap((s) => (s.id === undefined ? [] : [s.id]));
  return {
    template: template.id,
    ok: sentinels.every((s) => s.problem === undefined) && stopIds.length > 0,
    sentinels,
    stops,
    ids,
    stopIds,
  };
}

/** A one-line account of what failed, for logs and error messages. */
export function describeCheck(check: TemplateCheck): string {
  if (check.ok) return `${check.template}: every sentinel is one special token`;
  const bad = check.sentinels.filter((s) => s.problem);
  const parts = bad.map((s) => `${JSON.stringify(s.text)} ${s.problem === 'split' ? `is ${s.ids.length} tokens ${JSON.stringify(s.pieces)}` : s.problem === 'not-special' ? `is the ordinary token ${s.ids[0]}` : `is ${s.ids[0]}, not the model's ${s.role} id`}`);
  if (check.stopIds.length === 0) parts.push(`none of the stop tokens ${JSON.stringify(check.stops.map((s) => s.text))} exists`);
  return `${check.template}: ${parts.join('; ')}`;
}
