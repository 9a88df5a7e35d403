/**
 * The chat template's own tokens: for each bundled template, the overhead plus the contents' tokens must
 * equal the whole rendered request counted at once; variants that are not bundled are checked against
 * the text their templates write.
 */
import { rng as random } from '../fixtures/corpus';
import assert from 'node:assert/strict';
import { Template } from '@huggingface/jinja';
import { templateOverhead } from '../../src/core/budget/chatTemplate';
import { findModel, type ModelInfo } from '../../src/core/budget/modelCatalog';
import { bundledTemplate, type TemplateEntry } from '../../src/core/budget/templateData';
import { loadTokenizerSync } from '../../src/core/tokenizers/registry';

const model = (id: string, tokenizer: string, tokenizerExact = true): ModelInfo => ({ id, name: id, provider: 'test', contextWindow: 128_000, maxOutput: 8192, tokenizer, tokenizerExact });


const WORDS = ['the', 'Quick', 'fox', 'const', 'x', '=', '42;', '{', '}', '()', 'héllo', '世界', '👋', '🪿', 'naïve', '//', 'return', 'a+b', '\t', '\n', '\n\n', '  ', '...', 'ÄÖÜ', 'def', 'λ'];
const PAD = ['', ' ', '\n', '  \n', '\t'];

/** Random text that starts and ends with a letter, with whitespace at its ends only where `pad`. */
function text(rnd: () => number, pad: boolean): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  let body = 'A';
  const n = Math.floor(rnd() * 30);
  for (let i = 0; i < n; i++) body += (rnd() < 0.7 ? ' ' : '') + pick(WORDS);
  body += 'z';
  return pad ? pick(PAD) + body + pick(PAD) : body;
}

const specialText = (s: string | null) => s ?? '';

const parsed = new Map<TemplateEntry, Template>();

/** The whole request as the bundled template renders it, BOS once, counted at once with special tokens parsed. */
function renderWhole(entry: TemplateEntry, system: string | undefined, user: string): string {
  const messages = [...(system === undefined ? [] : [{ role: 'system', content: system }]), { role: 'user', content: user }];
  let template = parsed.get(entry);
  if (!template) parsed.set(entry, (template = new Template(entry.chatTemplate)));
  let out = template.render({ messages, add_generation_prompt: true, bos_token: specialText(entry.bosToken), eos_token: specialText(entry.eosToken) });
  if (entry.addBosToken && entry.bosToken && !out.startsWith(entry.bosToken)) out = entry.bosToken + out;
  return out;
}

describe('chat template overhead', function () {
  const bundled: [string, ModelInfo][] = [
    ['llama3', model('llama3-70b-8192', 'llama3')],
    ['qwen3', model('qwen3-32b', 'qwen3')],
    ['deepseek_v3', model('deepseek-chat', 'deepseek_v3')],
    ['gemma3', model('gemma-3-27b-it', 'gemma3')],
  ];

  for (const [id, m] of bundled) {
    it(`${id}: overhead + contents = the whole rendered request, with and without a system prompt (random contents)`, function () {
      const entry = bundledTemplate(id);
      assert.ok(entry, `${id} is in templates.json`);
      const tokenizer = loadTokenizerSync(id);
      const rnd = random(id.length * 7919);
      for (const hasSystem of [false, true]) {
        const overhead = templateOverhead(m, tokenizer, hasSystem);
        assert.equal(overhead.estimate, false);
        for (let i = 0; i < 60; i++) {
          // Whitespace at the ends only where the template trims it, as the contents are counted trimmed.
          const system = hasSystem ? text(rnd, overhead.trims.system) : undefined;
          const user = text(rnd, overhead.trims.user);
          const whole = tokenizer.count(renderWhole(entry, system, user), { parseSpecialTokens: true });
          const trim = (s: string, trims: boolean) => (trims ? s.trim() : s);
          const contents = (system === undefined ? 0 : tokenizer.count(trim(system, overhead.trims.system))) + tokenizer.count(trim(user, overhead.trims.user));
          assert.equal(overhead.tokens + contents, whole, JSON.stringify({ system, user }));
        }
      }
    });
  }

  it('measures what the templates add', function () {
    const measured = Object.fromEntries(bundled.map(([id, m]) => [id, [false, true].map((s) => templateOverhead(m, loadTokenizerSync(id), s).tokens)]));
    assert.deepEqual(measured, { llama3: [10, 15], qwen3: [8, 13], deepseek_v3: [3, 3], gemma3: [9, 10] });
  });

  it('knows which templates trim the contents', function () {
    const trims = Object.fromEntries(bundled.map(([id, m]) => [id, templateOverhead(m, loadTokenizerSync(id), true).trims]));
    assert.deepEqual(trims, {
      llama3: { system: true, user: true },
      qwen3: { system: false, user: false },
      deepseek_v3: { system: false, user: false },
      gemma3: { system: false, user: true },
    });
  });

  it('counts BOS once', function () {
    for (const [id, bos] of [['llama3', '<|begin_of_text|>'], ['deepseek_v3', '<｜begin▁of▁sentence｜>'], ['gemma3', '<bos>']]) {
      const tokenizer = loadTokenizerSync(id);
      const bosId = tokenizer.encode(bos, { parseSpecialTokens: true })[0];
      const ids = tokenizer.encode(renderWhole(bundledTemplate(id)!, undefined, 'Hi'), { parseSpecialTokens: true });
      assert.equal(ids.filter((x) => x === bosId).length, 1, id);
      assert.equal(ids[0], bosId, id);
    }
  });

  /** Overhead + contents against a request written out as the model's template writes it. */
  function checkAgainst(m: ModelInfo, request: (system: string | undefined, user: string) => string, expected: [number, number]): void {
    const tokenizer = loadTokenizerSync(m.tokenizer);
    const rnd = random(m.id.length);
    for (const hasSystem of [false, true]) {
      const overhead = templateOverhead(m, tokenizer, hasSystem);
      assert.equal(overhead.tokens, expected[Number(hasSystem)], `${m.id}, system: ${hasSystem}`);
      for (let i = 0; i < 30; i++) {
        const system = hasSystem ? text(rnd, false) : undefined;
        const user = text(rnd, false);
        const whole = tokenizer.count(request(system, user), { parseSpecialTokens: true });
        assert.equal(overhead.tokens + (system === undefined ? 0 : tokenizer.count(system)) + tokenizer.count(user), whole, JSON.stringify({ system, user }));
      }
    }
  }

  it('Llama 3.1 to 3.3: the system block with dates, written even without a system prompt (an estimate)', function () {
    const m = model('llama-3.3-70b-versatile', 'llama3');
    checkAgainst(
      m,
      (system, user) =>
        '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n' +
        `${system ?? ''}<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n${user}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n`,
      [35, 35],
    );
    const overhead = templateOverhead(m, loadTokenizerSync('llama3'), false);
    assert.equal(overhead.estimate, true);
    assert.match(overhead.detail, /Llama 3\.1.*date/);
    assert.equal(templateOverhead(model('llama3-8b-8192', 'llama3'), loadTokenizerSync('llama3'), false).name, 'Llama 3');
  });

  it('Qwen 2.5: its default system prompt when none is given', function () {
    const m = model('qwen2.5-coder-32b-instruct', 'qwen3');
    checkAgainst(
      m,
      (system, user) =>
        `<|im_start|>system\n${system ?? 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.'}<|im_end|>\n<|im_start|>user\n${user}<|im_end|>\n<|im_start|>assistant\n`,
      [29, 13],
    );
    assert.match(templateOverhead(m, loadTokenizerSync('qwen3'), false).detail, /default system prompt/);
  });

  it('DeepSeek R1: the reply starts with <think>', function () {
    checkAgainst(model('deepseek-reasoner', 'deepseek_v3'), (system, user) => `<｜begin▁of▁sentence｜>${system ?? ''}<｜User｜>${user}<｜Assistant｜><think>\n`, [6, 6]);
  });

  it('gpt-oss: the harmony format, with the system message it always writes', function () {
    const m = findModel('gpt-oss-120b')!;
    assert.equal(m.tokenizer, 'o200k_harmony');
    const fixed =
      '<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.\nKnowledge cutoff: 2024-06\nCurrent date: 2026-11-28\n\n' +
      'Reasoning: medium\n\n# Valid channels: analysis, commentary, final. Channel must be included for every message.<|end|>';
    checkAgainst(
      m,
      (system, user) => `${fixed}${system === undefined ? '' : `<|start|>developer<|message|># Instructions\n\n${system}\n\n<|end|>`}<|start|>user<|message|>${user}<|end|><|start|>assistant`,
      [67, 75],
    );
  });

  it('OpenAI chat models: as OpenAI\'s cookbook counts (3 per message, the role, 3 to prime the reply)', function () {
    for (const [id, tokenizer] of [['gpt-4o', 'o200k_base'], ['gpt-4', 'cl100k_base']]) {
      const m = findModel(id)!;
      const overheads = [false, true].map((s) => templateOverhead(m, loadTokenizerSync(tokenizer), s));
      assert.deepEqual(overheads.map((o) => o.tokens), [7, 11], id);
      for (const o of overheads) {
        assert.equal(o.estimate, false);
        assert.match(o.detail, /as OpenAI's cookbook counts/i);
      }
    }
  });

  it('Claude, Gemini, Mistral and unknown models: documented estimates', function () {
    const cases: [string, string, [number, number]][] = [
      ['claude-sonnet-4-20250514', 'Claude', [7, 7]],
      ['gemini-2.5-pro', 'Gemini', [9, 14]],
      ['mistral-large-latest', 'Mistral', [3, 5]],
      ['kimi-k2-instruct', 'estimate', [7, 11]],
      ['deepseek-r1-distill-llama-70b', 'estimate', [7, 11]],
    ];
    for (const [id, name, expected] of cases) {
      const m = findModel(id);
      assert.ok(m, id);
      const overheads = [false, true].map((s) => templateOverhead(m, loadTokenizerSync(m.tokenizer), s));
      assert.deepEqual(overheads.map((o) => o.tokens), expected, id);
      for (const o of overheads) {
        assert.equal(o.name, name, id);
        assert.equal(o.estimate, true, id);
        assert.match(o.detail, /^Estimate/, id);
      }
    }
  });

  it('is an estimate when counted with another tokenizer than the template\'s', function () {
    const o = templateOverhead(model('qwen3-32b', 'qwen3'), loadTokenizerSync('o200k_base'), false);
    assert.equal(o.estimate, true);
    assert.match(o.detail, /counted with o200k_base/);
    assert.ok(o.tokens > 8);
  });

  it('details are short plain sentences', function () {
    const ids = ['gpt-4o', 'claude-sonnet-4-20250514', 'gemini-2.5-pro', 'qwen3-32b', 'llama-3.3-70b-versatile', 'deepseek-chat', 'gpt-oss-20b'];
    for (const id of ids) {
      const m = findModel(id)!;
      for (const s of [false, true]) {
        const { detail } = templateOverhead(m, loadTokenizerSync(m.tokenizer), s);
        assert.ok(detail.length > 20 && detail.length < 200, detail);
        assert.doesNotMatch(detail, /undefined|\.$/);
      }
    }
  });
});
