/**
 * The texts llama.cpp recognises as FIM and end-of-generation tokens when a file's metadata does not name
 * them (`src/llama-vocab.cpp`), in its order: the first text of a role that a vocabulary has wins. One table
 * for reading GGUF files, for the engines that tell token texts but not roles, and for the embedded engine.
 */
/** FIM and repository-context special tokens, by their ids in the model's vocabulary. */
export interface FimTokenIds {
  prefix?: number;
  suffix?: number;
  middle?: number;
  pad?: number;
  repoName?: number;
  fileSeparator?: number;
}

export const FIM_TEXTS: Readonly<Record<keyof FimTokenIds, readonly string[]>> = {
  prefix: ['<|fim_prefix|>', '<fim-prefix>', '<fim_prefix>', '<｜fim▁begin｜>', '<PRE>', '▁<PRE>', '<|code_prefix|>', '<|prefix|>'],
  suffix: ['<|fim_suffix|>', '<fim-suffix>', '<fim_suffix>', '<｜fim▁hole｜>', '<SUF>', '▁<SUF>', '<|code_suffix|>', '<|suffix|>'],
  middle: ['<|fim_middle|>', '<fim-middle>', '<fim_middle>', '<｜fim▁end｜>', '<MID>', '▁<MID>', '<|code_middle|>', '<|middle|>'],
  pad: ['<|fim_pad|>', '<fim-pad>', '<fim_pad>', '<PAD>', '[PAD]'],
  repoName: ['<|fim_repo|>', '<|repo_name|>', '<fim-repo>', '<REPO>', '<reponame>'],
  // CodeGemma's separator is not in llama.cpp's list; its FIM template uses it.
  fileSeparator: ['<|file_sep|>', '<|file_separator|>'],
};

export const EOG_TEXTS: readonly string[] = [
  '<|eot_id|>', '<|im_end|>', '<|end|>', '<|return|>', '<|call|>', '<|flush|>', '<|calls|>', '<end_of_turn>', '<|endoftext|>', '</s>', '<|eom_id|>',
  '<EOT>', '_<EOT>', '[EOT]', '[EOS]', '<|end_of_text|>', '<end_of_utterance>', '<eos>', '<turn|>', '<|tool_response>', '<｜end▁of▁sentence｜>', '[e~[',
];
