/**
 * Which model stands for a tokenizer when the comparison says how much text a window holds: counts from
 * different tokenizers are not comparable as capacity, characters are.
 */
import type { ModelInfo } from '../budget/modelCatalog';

/**
 * Catalog ids tried first, in order: a widely used current model of each family, so that the window
 * shown is the one most readers have in mind. Ids missing from the catalog are skipped.
 */
const PREFERRED: Readonly<Record<string, readonly string[]>> = {
  o200k_base: ['gpt-4o', 'gpt-4.1', 'gpt-5'],
  o200k_harmony: ['gpt-oss-120b', 'gpt-oss-20b'],
  cl100k_base: ['gpt-4-turbo', 'gpt-4'],
  llama3: ['llama-3.3-70b-instruct', 'llama-3.3-70b-versatile', 'llama-3.1-8b-instant'],
  qwen3: ['qwen3-235b-a22b', 'qwen3-32b', 'qwen3-coder-480b-a35b-instruct'],
  deepseek_v3: ['deepseek-chat', 'DeepSeek-V3'],
  gemma3: ['gemma-3-27b-it', 'gemma-3-12b-it'],
  'claude-legacy': ['claude-sonnet-4-20250514', 'claude-opus-4-1-20250805', 'claude-3-7-sonnet-20250219'],
};

/**
 * The preferred model for `tokenizer`, else the catalog model counted exactly by it with the largest
 * window, else (for an estimate such as claude-legacy) the largest model it stands in for; ties go to
 * the smaller id, so the choice does not depend on catalog order.
 */
export function representativeModel(tokenizer: string, catalog: readonly ModelInfo[]): ModelInfo | undefined {
  const usable = catalog.filter((m) => m.tokenizer === tokenizer && m.contextWindow > 0);
  for (const id of PREFERRED[tokenizer] ?? []) {
    const model = usable.find((m) => m.id === id);
    if (model) return model;
  }
  const exact = usable.filter((m) => m.tokenizerExact);
  return largest(exact.length > 0 ? exact : usable);
}

function largest(models: readonly ModelInfo[]): ModelInfo | undefined {
  let best: ModelInfo | undefined;
  for (const m of models) {
    if (!best || m.contextWindow > best.contextWindow || (m.contextWindow === best.contextWindow && m.id < best.id)) best = m;
  }
  return best;
}
