/**
 * The models Tokenwise budgets against: context windows and output limits from the tokenlens catalog
 * (written to data/models.json at build time), each with the tokenizer that counts for it. A model
 * without a bundled tokenizer is counted with an estimate, and says so.
 */
import { bundledNow, perSource } from '../data/source';
import { decodeUtf8 } from '../text/utf8';
import { validPrices, type Prices } from './cost';

export { providerName } from './providers';

export interface ModelInfo {
  id: string;
  name: string;
  provider: string;
  contextWindow: number;
  maxOutput: number;
  /** Registry id (or path) of the tokenizer that counts for this model. */
  tokenizer: string;
  /** False when that tokenizer only approximates the model's own. */
  tokenizerExact: boolean;
  /** List prices, when the catalog or the user gives them. */
  prices?: Prices;
  /** Where the prices come from: the catalog and its date, or the user's `tokenwise.models`. */
  pricesFrom?: string;
}

/** Ordered rules from model ids to bundled tokenizers: the first match wins. */
const RULES: [RegExp, string, boolean][] = [
  [/gpt-oss/i, 'o200k_harmony', true],
  [/^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|chatgpt-4o|o1|o3|o4|codex)/i, 'o200k_base', true],
  [/^(gpt-4|gpt-3\.5)/i, 'cl100k_base', true],
  [/deepseek-r1-distill-llama/i, 'llama3', false],
  [/deepseek-r1-distill-qwen|deepseek-r1-0528-qwen3/i, 'qwen3', false],
  [/deepseek[-.](chat|reasoner|v3|r1)|deepseek-v3/i, 'deepseek_v3', true],
  [/llama-?3|llama3/i, 'llama3', true],
  [/qwen-?(2\.5|3)|qwq/i, 'qwen3', true],
  [/gemma-?3(?!n)/i, 'gemma3', true],
  [/claude/i, 'claude-legacy', false],
];

/** The tokenizer for a model id: a bundled exact one, or o200k_base as an estimate. */
export function tokenizerForModel(id: string): { tokenizer: string; exact: boolean } {
  for (const [pattern, tokenizer, exact] of RULES) if (pattern.test(id)) return { tokenizer, exact };
  return { tokenizer: 'o200k_base', exact: false };
}

/** A model as a user writes it in settings; missing fields come from the catalog entry it overrides. */
export type ModelOverride = Partial<ModelInfo> & { id: string };

/** A catalog entry as data/models.json holds it. */
export type CatalogEntry = Omit<ModelInfo, 'tokenizer' | 'tokenizerExact' | 'pricesFrom'>;

/** data/models.json: where the catalog comes from and the date of its newest entry, with the models. */
interface CatalogFile {
  source: string;
  asOf: string;
  models: CatalogEntry[];
}

const bundledModels = perSource(() => {
  const { source, asOf, models } = JSON.parse(decodeUtf8(bundledNow('models.json'))) as CatalogFile;
  return withTokenizers(models).map((m) => (m.prices ? { ...m, pricesFrom: `${source}, as of ${asOf}` } : m));
});

function withTokenizers(raw: readonly CatalogEntry[]): ModelInfo[] {
  return raw.map((m) => {
    const { tokenizer, exact } = tokenizerForModel(m.id);
    return { ...m, tokenizer, tokenizerExact: exact };
  });
}

/** The catalog with the user's additions and overrides applied (an override replaces fields by id). */
export function modelCatalog(overrides: readonly ModelOverride[] = []): ModelInfo[] {
  const byId = new Map(bundledModels().map((m) => [m.id, m]));
  for (const o of overrides) {
    const base = byId.get(o.id);
    const rule = tokenizerForModel(o.id);
    const merged: ModelInfo = {
      name: o.id,
      provider: 'custom',
      contextWindow: 0,
      maxOutput: 0,
      tokenizer: rule.tokenizer,
      tokenizerExact: rule.exact,
      ...base,
      ...o,
    };
    // Prices given in a setting replace the catalog's one by one; any that are not numbers are left out.
    const own = validPrices(o.prices);
    const prices = validPrices({ ...base?.prices, ...own });
    if (prices) Object.assign(merged, { prices, pricesFrom: own ? 'tokenwise.models' : base?.pricesFrom });
    else {
      delete merged.prices;
      delete merged.pricesFrom;
    }
    // A tokenizer the user names is taken as exact unless they say otherwise.
    if (o.tokenizer && o.tokenizerExact === undefined) merged.tokenizerExact = true;
    if (merged.contextWindow > 0) byId.set(o.id, merged);
  }
  return [...byId.values()];
}

export function findModel(id: string, overrides: readonly ModelOverride[] = []): ModelInfo | undefined {
  return modelCatalog(overrides).find((m) => m.id === id);
}

/**
 * Whether a count by `tokenizer` is the model's own count: an exact tokenizer that is the model's (its
 * catalog rule exact, or `chosen` by the user), or any exact one the user chose for a model the catalog
 * does not know.
 */
export function countIsExact(tokenizer: { id: string; exact: boolean }, model: ModelInfo, chosen: boolean): boolean {
  if (!tokenizer.exact) return false;
  if (model.provider !== 'unknown' && tokenizer.id !== model.tokenizer) return false;
  return chosen || model.tokenizerExact;
}

/** The model with this id, or one the catalog does not know: no window, counted by its id's tokenizer rule. */
export function modelOrUnknown(id: string, overrides: readonly ModelOverride[] = []): ModelInfo {
  const known = findModel(id, overrides);
  if (known) return known;
  const { tokenizer, exact } = tokenizerForModel(id);
  return { id, name: id, provider: 'unknown', contextWindow: 0, maxOutput: 0, tokenizer, tokenizerExact: exact };
}
