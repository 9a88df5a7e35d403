/**
 * FIM and end-of-generation ids by their texts (gguf/specialTexts.ts), for engines that tell token texts but
 * not token roles (llama-server, Ollama, OpenAI-compatible servers).
 */
import { EOG_TEXTS, FIM_TEXTS } from '../gguf/specialTexts';
import type { FimTokenIds } from './types';

/** Every candidate text, each once. */
export function specialCandidates(extra: readonly (string | undefined)[] = []): string[] {
  const all = [...Object.values(FIM_TEXTS).flat(), ...EOG_TEXTS, ...extra.filter((t): t is string => !!t)];
  return [...new Set(all)];
}

/** FIM ids and end ids, given a lookup from special-token text to id. */
export function classifySpecials(idOf: (text: string) => number | undefined, eosId?: number): { fim: FimTokenIds; endIds: number[] } {
  const fim: FimTokenIds = {};
  for (const [role, texts] of Object.entries(FIM_TEXTS) as [keyof FimTokenIds, readonly string[]][]) {
    for (const text of texts) {
      const id = idOf(text);
      if (id !== undefined) {
        fim[role] = id;
        break;
      }
    }
  }
  const endIds = new Set<number>();
  for (const text of EOG_TEXTS) {
    const id = idOf(text);
    if (id !== undefined && id !== eosId) endIds.add(id);
  }
  // llama.cpp treats FIM pad, repo and file-separator tokens as end of generation too.
  for (const id of [fim.pad, fim.repoName, fim.fileSeparator]) if (id !== undefined && id !== eosId) endIds.add(id);
  return { fim, endIds: [...endIds].sort((a, b) => a - b) };
}
