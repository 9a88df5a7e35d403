/**
 * FIM templates against real vocabularies: every sentinel is one token of the matching bundled tokenizer
 * and of the tiny GGUF models, with the documented ids; mismatches (another family's vocabulary, ASCII
 * look-alikes, ordinary tokens) are reported sentinel by sentinel; the template is chosen from the model's
 * own FIM ids.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readGguf } from '../../src/core/gguf/reader';
import { ggufVocab, GgufTokenType } from '../../src/core/gguf/vocab';
import { checkTemplate, chooseTemplate, describeCheck, sentinelVocab, type VocabLookup } from '../../src/core/fim/chooseTemplate';
import { FIM_TEMPLATES, type FimTemplateId } from '../../src/core/fim/templates';
import { tokenizerFromGguf } from '../../src/core/tokenizers/gguf/ggufTokenizer';
import { loadTokenizerSync } from '../../src/core/tokenizers/registry';
import { modelCache, writeTinyModel } from '../fixtures/gguf/index';

function gguf(kind: 'random-bpe' | 'random-spm') {
  const model = writeTinyModel(kind, join(modelCache(), `fim-templates-${kind}.gguf`));
  const vocab = ggufVocab(readGguf(readFileSync(model.path)));
  const specialIds = vocab.tokens.flatMap((_, id) => (vocab.types[id] === GgufTokenType.CONTROL ? [id] : []));
  return { vocab, tokenizer: tokenizerFromGguf(vocab), specialIds };
}

const lookup = (tokens: readonly string[]): VocabLookup => ({ tokenText: (id) => tokens[id], idOf: (t) => (tokens.indexOf(t) >= 0 ? tokens.indexOf(t) : undefined) });

describe('fim: templates', () => {
  it('spell DeepSeek with full-width bars and U+2581, CodeLlama with ▁ pieces', () => {
    assert.equal(FIM_TEMPLATES['deepseek-coder'].sentinels.prefix, '<\uff5cfim\u2581begin\uff5c>');
    assert.equal(FIM_TEMPLATES['codellama-psm'].sentinels.middle, '\u2581<MID>');
    for (const t of Object.values(FIM_TEMPLATES)) {
      assert.ok(t.required.every((r) => t.sentinels[r] !== undefined), t.id);
      assert.ok(t.stops.length > 0, t.id);
      // Substring stops cut real code (Continue's `//`, `t.`): stops are whole special tokens only.
      for (const s of t.stops) assert.match(s, /^(<.*>|\[.*\]|\u2581<.*>)$/u, `${t.id}: ${s}`);
    }
  });

  it('Qwen sentinels are single tokens of the bundled qwen3 vocabulary, with the documented ids', () => {
    const qwen = loadTokenizerSync('qwen3');
    // The bundled tokenizer.json marks the FIM tokens not special: reported, and fine once the engine says so.
    const bare = checkTemplate(FIM_TEMPLATES['qwen2.5-coder'], sentinelVocab(qwen));
    assert.equal(bare.ok, false);
    const expected = { prefix: 151659, middle: 151660, suffix: 151661, pad: 151662, repoName: 151663, fileSeparator: 151664 };
    for (const s of bare.sentinels) {
      assert.deepEqual(s.ids, [expected[s.role as keyof typeof expected]], s.text);
      assert.equal(s.problem, 'not-special');
      assert.equal(s.matchedInText, true);
    }
    const check = checkTemplate(FIM_TEMPLATES['qwen3-coder'], sentinelVocab(qwen, Object.values(expected)), { prefix: 151659, suffix: 151661, middle: 151660 });
    assert.equal(check.ok, true, describeCheck(check));
    assert.deepEqual(check.ids, expected);
    assert.ok(check.stopIds.includes(151643));
  });

  it('DeepSeek sentinels are single tokens of deepseek_v3; ASCII look-alikes are not', () => {
    const ds = loadTokenizerSync('deepseek_v3');
    const ids = ['<\uff5cfim\u2581begin\uff5c>', '<\uff5cfim\u2581hole\uff5c>', '<\uff5cfim\u2581end\uff5c>'].map((t) => Array.from(ds.encode(t, { parseSpecialTokens: true })));
    assert.deepEqual(ids, [[128801], [128800], [128802]]);
    const check = checkTemplate(FIM_TEMPLATES['deepseek-coder'], sentinelVocab(ds, [128800, 128801, 128802]));
    for (const s of check.sentinels) assert.equal(s.problem, undefined, `${s.text}: ${describeCheck(check)}`);
    const ascii = { ...FIM_TEMPLATES['deepseek-coder'], sentinels: { ...FIM_TEMPLATES['deepseek-coder'].sentinels, prefix: '<|fim_begin|>' } };
    const bad = checkTemplate(ascii, sentinelVocab(ds, [128800, 128801, 128802]));
    assert.equal(bad.ok, false);
    const prefix = bad.sentinels.find((s) => s.role === 'prefix');
    assert.equal(prefix?.problem, 'split');
    assert.ok((prefix?.ids.length ?? 0) > 1);
    assert.match(describeCheck(bad), /<\|fim_begin\|>/);
  });

  it('reports every sentinel a vocabulary lacks (llama3, gemma3 for CodeGemma, qwen3 for StarCoder)', () => {
    const cases: [string, FimTemplateId][] = [['llama3', 'qwen2.5-coder'], ['gemma3', 'codegemma'], ['qwen3', 'starcoder2'], ['llama3', 'codestral']];
    for (const [tok, id] of cases) {
      const check = checkTemplate(FIM_TEMPLATES[id], sentinelVocab(loadTokenizerSync(tok)));
      assert.equal(check.ok, false, `${tok}/${id}`);
      const fim = check.sentinels.filter((s) => s.role === 'prefix' || s.role === 'suffix');
      assert.ok(fim.every((s) => s.problem === 'split'), `${tok}/${id}: ${describeCheck(check)}`);
    }
  });

  it('matches the tiny GGUF models: Qwen-style BPE and CodeLlama-style SentencePiece', () => {
    const bpe = gguf('random-bpe');
    const q = checkTemplate(FIM_TEMPLATES['qwen2.5-coder'], sentinelVocab(bpe.tokenizer, bpe.specialIds), bpe.vocab.fim);
    assert.equal(q.ok, true, describeCheck(q));
    assert.equal(q.ids.prefix, bpe.vocab.fim.prefix);
    assert.ok(q.sentinels.every((s) => !s.matchedInText));
    const spm = gguf('random-spm');
    for (const id of ['codellama-psm', 'codellama-spm'] as const) {
      const c = checkTemplate(FIM_TEMPLATES[id], sentinelVocab(spm.tokenizer, spm.specialIds), spm.vocab.fim);
      assert.equal(c.ok, true, describeCheck(c));
      assert.equal(c.ids.middle, spm.vocab.fim.middle);
    }
    // The wrong family for each model is a mismatch.
    assert.equal(checkTemplate(FIM_TEMPLATES['codellama-psm'], sentinelVocab(bpe.tokenizer, bpe.specialIds)).ok, false);
    assert.equal(checkTemplate(FIM_TEMPLATES['qwen2.5-coder'], sentinelVocab(spm.tokenizer, spm.specialIds)).ok, false);
  });

  it('a special token that is not the model’s own id for the role is reported', () => {
    const bpe = gguf('random-bpe');
    const swapped = { ...bpe.vocab.fim, prefix: bpe.vocab.fim.suffix };
    const c = checkTemplate(FIM_TEMPLATES['qwen2.5-coder'], sentinelVocab(bpe.tokenizer, bpe.specialIds), swapped);
    assert.equal(c.sentinels.find((s) => s.role === 'prefix')?.problem, 'wrong-id');
  });

  it('chooses the template from the model’s FIM ids and token texts', () => {
    const bpe = gguf('random-bpe');
    const spm = gguf('random-spm');
    assert.equal(chooseTemplate({ fim: bpe.vocab.fim }, lookup(bpe.vocab.tokens)).template?.id, 'qwen2.5-coder');
    assert.equal(chooseTemplate({ fim: bpe.vocab.fim, name: 'Qwen3-Coder-30B' }, lookup(bpe.vocab.tokens)).template?.id, 'qwen3-coder');
    assert.equal(chooseTemplate({ fim: spm.vocab.fim }, lookup(spm.vocab.tokens)).template?.id, 'codellama-psm');
    assert.equal(chooseTemplate({ fim: spm.vocab.fim, userTemplate: 'codellama-spm' }, lookup(spm.vocab.tokens)).template?.id, 'codellama-spm');
    const tokens = ['<fim_prefix>', '<fim_suffix>', '<fim_middle>', '<file_sep>', '<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>', '<|file_separator|>', '[SUFFIX]', '[PREFIX]', '<\uff5cfim\u2581begin\uff5c>', '<\uff5cfim\u2581hole\uff5c>', '<\uff5cfim\u2581end\uff5c>'];
    const v = lookup(tokens);
    assert.equal(chooseTemplate({ fim: { prefix: 0, suffix: 1, middle: 2 } }, v).template?.id, 'starcoder2');
    assert.equal(chooseTemplate({ fim: { prefix: 0, suffix: 1, middle: 2 } }, lookup(tokens.slice(0, 3))).template?.id, 'starcoder');
    assert.equal(chooseTemplate({ fim: { prefix: 4, suffix: 5, middle: 6, fileSeparator: 7 } }, v).template?.id, 'codegemma');
    assert.equal(chooseTemplate({ fim: { prefix: 10, suffix: 11, middle: 12 } }, v).template?.id, 'deepseek-coder');
    assert.equal(chooseTemplate({ fim: {} }, v).template?.id, 'codestral');
    assert.equal(chooseTemplate({ fim: {} }, lookup(['a'])).template, undefined);
    // A suffix token from another family is reported, not guessed around.
    const mixed = chooseTemplate({ fim: { prefix: 4, suffix: 1, middle: 6 } }, v);
    assert.equal(mixed.template, undefined);
    assert.match(mixed.reason, /suffix/);
  });
});
