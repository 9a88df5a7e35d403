/**
 * FIM prompt templates per model family: the sentinel texts, the order of the segments, where extra files
 * go and which tokens end a completion. Templates only describe; `prompt.ts` turns them into token ids and
 * `chooseTemplate.ts` checks them against the model's own vocabulary.
 */

/** The roles a sentinel can play; the ids come from the model (GGUF `fim_*_token_id` or its vocabulary). */
export type SentinelRole = 'bos' | 'prefix' | 'suffix' | 'middle' | 'pad' | 'repoName' | 'fileSeparator';

export type FimTemplateId =
  | 'starcoder'
  | 'starcoder2'
  | 'deepseek-coder'
  | 'codellama-psm'
  | 'codellama-spm'
  | 'qwen2.5-coder'
  | 'qwen3-coder'
  | 'codestral'
  | 'codegemma';

/**
 * Segment order.
 * - `psm`: prefix sentinel, prefix, suffix sentinel, suffix, middle sentinel; the model writes the middle.
 * - `spm`: CodeLlama's suffix-first form `<PRE> <SUF> suffix <MID> prefix`; the model continues the prefix.
 * - `sp`: Codestral's `[SUFFIX] suffix [PREFIX] prefix` with no middle token; the model continues the prefix.
 */
export type FimLayout = 'psm' | 'spm' | 'sp';

/**
 * How extra context files are written. All of them come before the part that changes every keystroke, so
 * that a backend's prompt cache is reused.
 * - `sentinel`: `[repo sentinel repoName repoAfter] (fileSeparator path \n text fileAfter)* fileSeparator currentPath \n`
 *   before the FIM segments (StarCoder2, Qwen repo-level).
 * - `trailing-separator`: `(path \n text fileSeparator)*` before the FIM segments (CodeGemma, whose separator
 *   ends a file).
 * - `text`: plain text at the start of the prefix segment, `header path \n text \n\n` per file (families
 *   without file tokens).
 */
export type FileLayout =
  | { kind: 'sentinel'; repoAfter: string; fileAfter: string }
  | { kind: 'trailing-separator' }
  | { kind: 'text'; header: string };

export interface FimTemplate {
  id: FimTemplateId;
  name: string;
  layout: FimLayout;
  /** Sentinel texts by role, exactly as the vocabulary spells them (full-width bars, U+2581). */
  sentinels: Partial<Record<SentinelRole, string>>;
  /** Roles the prompt cannot do without. */
  required: SentinelRole[];
  /** Whether the sequence starts with the BOS token (`bos` sentinel). */
  bos: boolean;
  files: FileLayout;
  /** Texts of the tokens that end a completion (matched as whole special tokens, never as substrings). */
  stops: string[];
}

const SPM_SPACE = '\u2581';
/** DeepSeek's sentinels use U+FF5C FULLWIDTH VERTICAL LINE and U+2581; ASCII look-alikes are other tokens. */
const BAR = '\uff5c';
const deepseek = (name: string) => `<${BAR}${name.replaceAll(' ', SPM_SPACE)}${BAR}>`;

const qwen = (id: 'qwen2.5-coder' | 'qwen3-coder', name: string): FimTemplate => ({
  id,
  name,
  layout: 'psm',
  sentinels: {
    prefix: '<|fim_prefix|>',
    suffix: '<|fim_suffix|>',
    middle: '<|fim_middle|>',
    pad: '<|fim_pad|>',
    repoName: '<|repo_name|>',
    fileSeparator: '<|file_sep|>',
  },
  required: ['prefix', 'suffix', 'middle'],
  bos: false,
  // The Qwen2.5-Coder README: `<|repo_name|>r\n<|file_sep|>path\ncode\n<|file_sep|>path\n<|fim_prefix|>…`.
  files: { kind: 'sentinel', repoAfter: '\n', fileAfter: '\n' },
  // The GGUF EOS may be `<|im_end|>`, but FIM ends with `<|endoftext|>` (llama.cpp #9606); the repo tokens leak otherwise.
  stops: ['<|endoftext|>', '<|fim_pad|>', '<|file_sep|>', '<|repo_name|>', '<|im_end|>'],
});

const codellama = (id: 'codellama-psm' | 'codellama-spm', layout: 'psm' | 'spm'): FimTemplate => ({
  id,
  name: layout === 'psm' ? 'CodeLlama (PSM)' : 'CodeLlama (SPM)',
  layout,
  // SentencePiece pieces with their leading ▁: the spaces in `<PRE> {p} <SUF>{s} <MID>` are these.
  sentinels: { bos: '<s>', prefix: `${SPM_SPACE}<PRE>`, suffix: `${SPM_SPACE}<SUF>`, middle: `${SPM_SPACE}<MID>` },
  required: ['bos', 'prefix', 'suffix', 'middle'],
  bos: true,
  files: { kind: 'text', header: '// ' },
  stops: [`${SPM_SPACE}<EOT>`, '</s>'],
});

export const FIM_TEMPLATES: Readonly<Record<FimTemplateId, FimTemplate>> = {
  starcoder: {
    id: 'starcoder',
    name: 'StarCoder / StarCoderBase',
    layout: 'psm',
    sentinels: { prefix: '<fim_prefix>', suffix: '<fim_suffix>', middle: '<fim_middle>', pad: '<fim_pad>' },
    required: ['prefix', 'suffix', 'middle'],
    bos: false,
    files: { kind: 'text', header: '// ' },
    stops: ['<|endoftext|>', '<fim_pad>'],
  },
  starcoder2: {
    id: 'starcoder2',
    name: 'StarCoder2',
    layout: 'psm',
    sentinels: { prefix: '<fim_prefix>', suffix: '<fim_suffix>', middle: '<fim_middle>', pad: '<fim_pad>', repoName: '<repo_name>', fileSeparator: '<file_sep>' },
    required: ['prefix', 'suffix', 'middle'],
    bos: false,
    // StarCoder2 §5.1: `<repo_name>r<file_sep>path\ncode<file_sep>…`, nothing between a file and the next separator.
    files: { kind: 'sentinel', repoAfter: '', fileAfter: '' },
    stops: ['<|endoftext|>', '<file_sep>', '<fim_pad>'],
  },
  'deepseek-coder': {
    id: 'deepseek-coder',
    name: 'DeepSeek-Coder',
    layout: 'psm',
    sentinels: { bos: deepseek('begin of sentence'), prefix: deepseek('fim begin'), suffix: deepseek('fim hole'), middle: deepseek('fim end') },
    required: ['prefix', 'suffix', 'middle'],
    bos: true,
    files: { kind: 'text', header: '# ' },
    stops: [deepseek('end of sentence'), '<|EOT|>'],
  },
  'codellama-psm': codellama('codellama-psm', 'psm'),
  'codellama-spm': codellama('codellama-spm', 'spm'),
  'qwen2.5-coder': qwen('qwen2.5-coder', 'Qwen2.5-Coder'),
  'qwen3-coder': qwen('qwen3-coder', 'Qwen3-Coder'),
  codestral: {
    id: 'codestral',
    name: 'Codestral',
    // mistral-common `encode_fim`: [BOS, SUFFIX, suffix, PREFIX, prefix]; the model continues the prefix.
    layout: 'sp',
    sentinels: { bos: '<s>', prefix: '[PREFIX]', suffix: '[SUFFIX]' },
    required: ['bos', 'prefix', 'suffix'],
    bos: true,
    // Continue's multi-file Codestral prompt marks files with `+++++ path`.
    files: { kind: 'text', header: '+++++ ' },
    stops: ['</s>', '[PREFIX]', '[SUFFIX]'],
  },
  codegemma: {
    id: 'codegemma',
    name: 'CodeGemma',
    layout: 'psm',
    sentinels: { prefix: '<|fim_prefix|>', suffix: '<|fim_suffix|>', middle: '<|fim_middle|>', fileSeparator: '<|file_separator|>' },
    required: ['prefix', 'suffix', 'middle'],
    // Google's example has no BOS (llama.cpp #11092 added it twice).
    bos: false,
    files: { kind: 'trailing-separator' },
    stops: ['<|file_separator|>', '<eos>', '<end_of_turn>'],
  },
};

export function fimTemplate(id: FimTemplateId): FimTemplate {
  return FIM_TEMPLATES[id];
}

export function isFimTemplateId(id: string): id is FimTemplateId {
  return Object.prototype.hasOwnProperty.call(FIM_TEMPLATES, id);
}

/** Every role a template names, in a fixed order (for reports and checks). */
export function templateRoles(template: FimTemplate): SentinelRole[] {
  const order: SentinelRole[] = ['bos', 'prefix', 'suffix', 'middle', 'pad', 'repoName', 'fileSeparator'];
  return order.filter((r) => template.sentinels[r] !== undefined);
}
