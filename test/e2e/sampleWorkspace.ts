/** The workspace `npm run e2e:serve` opens and the README's screenshots show: the test files and a chat prompt. */
import { defaultWorkspaceFiles } from './harness';

export function sampleWorkspaceFiles(): Record<string, string> {
  return {
    ...defaultWorkspaceFiles(),
    'prompt.md': [
      '# A chat prompt, as a Qwen model reads it',
      '',
      '<|im_start|>system',
      'You are a careful code reviewer. Answer in English.<|im_end|>',
      '<|im_start|>user',
      'Is `a >> 1` the same as `Math.floor(a / 2)` for negative numbers?<|im_end|>',
      '<|im_start|>assistant',
      '',
      '# Fill in the middle, three ways',
      '',
      '<|fim_prefix|>def mean(xs):<|fim_suffix|>    return total / len(xs)<|fim_middle|>',
      '<fim_prefix>def mean(xs):<fim_suffix>    return total / len(xs)<fim_middle>',
      '<｜fim▁begin｜>def mean(xs):<｜fim▁hole｜>    return total / len(xs)<｜fim▁end｜>',
      '',
      'In HTML, <s>struck</s> is markup; in a prompt, [INST] opens an instruction. [/INST]',
      '',
    ].join('\n'),
  };
}
