/**
 * The texts llama.cpp recognises as FIM and end-of-generation tokens (`src/llama-vocab.cpp`), for engines
 * that tell us token texts but not token roles (llama-server, Ollama).
 */
import type { FimTokenIds } from './types';

export const FIM_TOKEN_TEXTS: Record<keyof FimTokenIds, readonly string[]> = {
  prefix: ['<|fim_prefix|>', '<fim-prefix>', '<fim_prefix>', '<｜fim▁begin｜>', '<PRE>', '▁<PRE>', '<|code_prefix|>'],
  suffix: ['<|fim_suffix|>', '<fim-suffix>', '<fim_suffix>', '<｜fim▁hole｜>', '<SUF>', '▁<SUF>', '<|code_suffix|>'],
  middle: ['<|fim_middle|>', '<fim-middle>', '<fim_middle>', '<｜fim▁end｜>', '<MID>', '▁<MID>', '<|code_middle|>'],
  pad: ['<|fim_pad|>', '<fim-pad>', '<fim_pad>', '<PAD>'],
  repoName: ['<|repo_name|>', '<fim-repo>', '<REPO>', '<reponame>'],
  fileSeparator: ['<|file_sep|>'],
};

export const END_TOKEN_TEXTS: readonly string[] = [
  '<|eot_id|>', '<|im_end|>', '<|end|>', '<end_of_turn>', '<|endoftext|>', '<|end_of_text|>', '<EOT>', '▁<EOT>', '<|eom_id|>', '</s>',
];

/** Every candidate text, each once. */
export function specialCandidates(extra: readonly (string | undefined)[] = []): string[] {
  const all = [...Object.values(FIM_TOKEN_TEXTS).flat(), ...END_TOKEN_TEXTS, ...extra.filter((t): t is string => !!t)];
  return [...new Set(all)];
}

/** FIM ids and end ids, given a lookup from special-token text to id. */
export function classifySpecials(idOf: (text: string) => number | undefined, eosId?: number): { fim: FimTokenIds; endIds: number[] } {
  const fim: FimTokenIds = {};
  for (const [role, texts] of Object.entries(FIM_TOKEN_TEXTS) as [keyof FimTokenIds, readonly string[]][]) {
    for (const text of texts) {
      const id = idOf(text);
      if (id !== undefined) {
        fim[role] = id;
        break;
      }
    }
  }
  const endIds = new Set<number>();
  for (const text of END_TOKEN_TEXTS) {
    const id = idOf(text);
    if (id !== undefined && id !== eosId) endIds.add(id);
  }
  // llama.cpp treats FIM pad, repo and file-separator tokens as end of generation too.
  for (const id of [fim.pad, fim.repoName, fim.fileSeparator]) if (id !== undefined && id !== eosId) endIds.add(id);
  return { fim, endIds: [...endIds].sort((a, b) => a - b) };
}
