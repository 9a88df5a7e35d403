/**
 * FIM prompts as token ids: they fit the budget, cut at line boundaries keeping the text nearest the
 * cursor, never turn special-token text in the user's code into sentinels, keep extra files in a stable
 * order, and end the prefix at the anchor for the exact strategy.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readGguf } from '../../src/core/gguf/reader';
import { ggufVocab, GgufTokenType } from '../../src/core/gguf/vocab';
import { checkTemplate, sentinelVocab } from '../../src/core/fim/chooseTemplate';
import { encodeContinuing } from '../../src/core/fim/encodeText';
import { bannedByteTokensFor, producibleAt, unusedByteTokens } from '../../src/core/fim/healTokens';
import { buildFimPrompt, type FimPromptInput } from '../../src/core/fim/prompt';
import { FIM_TEMPLATES } from '../../src/core/fim/templates';
import { tokenizerFromGguf } from '../../src/core/tokenizers/gguf/ggufTokenizer';
import { loadTokenizerSync } from '../../src/core/tokenizers/registry';
import { randomText, rng } from '../fixtures/corpus';
import { modelCache, writeTinyModel } from '../fixtures/gguf/index';

const QWEN_IDS = [151659, 151660, 151661, 151662, 151663, 151664];
const qwen = loadTokenizerSync('qwen3');
const qwenCheck = checkTemplate(FIM_TEMPLATES['qwen2.5-coder'], sentinelVocab(qwen, QWEN_IDS));

function spmModel() {
  const model = writeTinyModel('random-spm', join(modelCache(), 'fim-prompt-spm.gguf'));
  const vocab = ggufVocab(readGguf(readFileSync(model.path)));
  const tokenizer = tokenizerFromGguf(vocab);
  const specialIds = vocab.tokens.flatMap((_, id) => (vocab.types[id] === GgufTokenType.CONTROL ? [id] : []));
  return { tokenizer, check: checkTemplate(FIM_TEMPLATES['codellama-psm'], sentinelVocab(tokenizer, specialIds), vocab.fim), specialIds };
}

const base = (over: Partial<FimPromptInput>): FimPromptInput => ({
  template: FIM_TEMPLATES['qwen2.5-coder'],
  tokenizer: qwen,
  sentinelIds: qwenCheck.ids,
  specialIds: QWEN_IDS,
  prefix: '',
  suffix: '',
  contextSize: 4096,
  reservedOutput: 128,
  ...over,
});

const hex = (ids: number[]) => Buffer.from(qwen.decodeBytes(ids)).toString('hex');

function randomCode(r: () => number, lines: number): string {
  return Array.from({ length: lines }, () => randomText(r, 1 + Math.floor(r() * 6))).join('\n');
}

describe('fim: buildFimPrompt', () => {
  it('lays out PSM with the sentinel ids and the text as plain ids', () => {
    const p = buildFimPrompt(base({ prefix: 'def f(x):\n    return ', suffix: '\n\nprint(f(1))\n' }));
    const { prefix, suffix, middle } = qwenCheck.ids;
    assert.deepEqual(Array.from(p.ids), [prefix, ...qwen.encode('def f(x):\n    return '), suffix, ...qwen.encode('\n\nprint(f(1))\n'), middle]);
    assert.equal(p.prefixCut, 0);
    assert.equal(p.suffixCut, '\n\nprint(f(1))\n'.length);
    assert.equal(p.tail.length, 0);
  });

  it('fits the budget, cuts at line boundaries and keeps the text nearest the cursor (property)', () => {
    const r = rng(3);
    for (let i = 0; i < 60; i++) {
      const prefix = randomCode(r, 1 + Math.floor(r() * 80));
      const suffix = randomCode(r, Math.floor(r() * 60));
      const contextSize = 40 + Math.floor(r() * 600);
      const reservedOutput = Math.floor(r() * 30);
      const p = buildFimPrompt(base({ prefix, suffix, contextSize, reservedOutput }));
      const label = `case ${i}`;
      assert.ok(p.ids.length <= contextSize - reservedOutput, label);
      assert.ok(p.prefixCut === 0 || prefix[p.prefixCut - 1] === '\n' || p.prefixCut === prefix.length || !prefix.slice(p.prefixCut).includes('\n'), label);
      assert.ok(p.suffixCut === suffix.length || suffix[p.suffixCut - 1] === '\n' || p.suffixCut === 0, label);
      // The prompt holds exactly the kept text, next to the cursor.
      const { prefix: pre, suffix: suf, middle } = qwenCheck.ids;
      const ids = Array.from(p.ids);
      const s = ids.indexOf(suf as number);
      assert.equal(ids[0], pre);
      assert.equal(ids[ids.length - 1], middle);
      // (Compared as bytes: the random text holds sentinel spellings, which the prompt keeps as text.)
      assert.equal(hex(ids.slice(1, s)), Buffer.from(prefix.slice(p.prefixCut).normalize('NFC')).toString('hex'), label);
      assert.equal(hex(ids.slice(s + 1, -1)), Buffer.from(suffix.slice(0, p.suffixCut).normalize('NFC')).toString('hex'), label);
      assert.ok(ids.slice(1, -1).filter((id) => QWEN_IDS.includes(id)).length === 1, label);
      // Nothing more fits: one more line on either side would overflow (or there is none).
      if (p.prefixCut > 0) {
        const more = prefix.lastIndexOf('\n', p.prefixCut - 2) + 1;
        const bigger = qwen.encode(prefix.slice(more)).length + p.counts.suffix + 3;
        assert.ok(bigger > contextSize - reservedOutput || p.counts.suffix > 0, label);
      }
    }
  });

  it('never turns special-token text in the code into sentinels', () => {
    const code = 'x = "<|fim_prefix|>"  # <|file_sep|> <|endoftext|>\n';
    const p = buildFimPrompt(base({ prefix: code, suffix: '<|fim_middle|>\n' }));
    const specials = new Set([...QWEN_IDS, 151643]);
    const ids = Array.from(p.ids);
    assert.deepEqual(ids.filter((id) => specials.has(id)), [qwenCheck.ids.prefix, qwenCheck.ids.suffix, qwenCheck.ids.middle]);
    assert.equal(p.escaped, 3);
    assert.equal(new TextDecoder().decode(qwen.decodeBytes(ids.slice(1, ids.indexOf(qwenCheck.ids.suffix as number)))), code);
  });

  it('puts extra files first, in the given order, and drops the last ones whole', () => {
    const files = [
      { path: 'a.py', text: 'A = 1\n' },
      { path: 'b.py', text: 'B = 2\n'.repeat(40) },
      { path: 'c.py', text: 'C = 3\n' },
    ];
    const big = buildFimPrompt(base({ prefix: 'import a\n', suffix: '', extraFiles: files, repoName: 'demo', currentPath: 'main.py' }));
    assert.deepEqual(big.filesKept, ['a.py', 'b.py', 'c.py']);
    const sep = qwenCheck.ids.fileSeparator as number;
    const ids = Array.from(big.ids);
    assert.equal(ids[0], qwenCheck.ids.repoName);
    const text = new TextDecoder().decode(qwen.decodeBytes(ids.filter((id) => !QWEN_IDS.includes(id))));
    assert.ok(text.startsWith('demo\na.py\nA = 1\n\nb.py\n'), text.slice(0, 40));
    assert.equal(ids.filter((id) => id === sep).length, 4);
    // With less room the files that do not fit go, whole, from the end; the rest keep their order.
    const small = buildFimPrompt(base({ prefix: 'import a\n', suffix: '', extraFiles: files, repoName: 'demo', contextSize: 120, reservedOutput: 20 }));
    assert.deepEqual(small.filesKept, ['a.py']);
    assert.deepEqual(small.filesDropped, ['b.py', 'c.py']);
    assert.ok(small.ids.length <= 100);
    // The same files give the same leading ids whatever the cursor's text: the prompt cache is reused.
    const other = buildFimPrompt(base({ prefix: 'import b\nx = ', suffix: 'y', extraFiles: files, repoName: 'demo', currentPath: 'main.py' }));
    const head = ids.indexOf(qwenCheck.ids.prefix as number);
    assert.deepEqual(Array.from(other.ids.slice(0, head)), ids.slice(0, head));
  });

  it('ends the prefix at the anchor for the exact strategy and returns the tail bytes', () => {
    const prefix = 'def f(x):\n    retu';
    const p = buildFimPrompt(base({ prefix, suffix: '\n', strategy: 'exact' }));
    assert.equal(p.prefixEnd, 'def f(x):\n   '.length);
    assert.equal(new TextDecoder().decode(p.tail), ' retu');
    const ids = Array.from(p.ids);
    assert.deepEqual(ids.slice(1, ids.indexOf(qwenCheck.ids.suffix as number)), Array.from(qwen.encode(prefix.slice(0, p.prefixEnd))));
    const plain = buildFimPrompt(base({ prefix, suffix: '\n' }));
    assert.equal(plain.prefixEnd, prefix.length);
    assert.equal(plain.tail.length, 0);
  });

  it('CodeLlama: BOS, ▁<PRE> prefix with its SentencePiece space, suffix without it; SPM order', () => {
    const { tokenizer, check } = spmModel();
    assert.equal(check.ok, true);
    const p = buildFimPrompt({ template: FIM_TEMPLATES['codellama-psm'], tokenizer, sentinelIds: check.ids, prefix: 'def f(x):', suffix: 'return x', contextSize: 512, reservedOutput: 16 });
    const ids = Array.from(p.ids);
    assert.deepEqual(ids.slice(0, 2), [check.ids.bos, check.ids.prefix]);
    const s = ids.indexOf(check.ids.suffix as number);
    assert.deepEqual(ids.slice(2, s), Array.from(tokenizer.encode('def f(x):')));
    assert.equal(new TextDecoder().decode(tokenizer.decodeBytes(ids.slice(s + 1, -1))), 'return x');
    assert.equal(ids[ids.length - 1], check.ids.middle);
    const spm = buildFimPrompt({ template: FIM_TEMPLATES['codellama-spm'], tokenizer, sentinelIds: check.ids, prefix: 'def f(x):', suffix: 'return x', contextSize: 512, reservedOutput: 16 });
    const sids = Array.from(spm.ids);
    assert.deepEqual(sids.slice(0, 3), [check.ids.bos, check.ids.prefix, check.ids.suffix]);
    assert.deepEqual(sids.slice(sids.indexOf(check.ids.middle as number) + 1), Array.from(tokenizer.encode('def f(x):')));
  });

  it('refuses a context that cannot hold the output, and a template without its ids', () => {
    assert.throws(() => buildFimPrompt(base({ contextSize: 100, reservedOutput: 99 })), /cannot hold/);
    assert.throws(() => buildFimPrompt(base({ sentinelIds: {} })), /no token id/);
  });

  it('stops when aborted', () => {
    const c = new AbortController();
    c.abort();
    assert.throws(() => buildFimPrompt(base({ prefix: 'x', signal: c.signal })));
  });
});

describe('fim: which tokens healing may use (producibleAt, unusedByteTokens, bannedByteTokensFor)', () => {
  const utf8 = (t: string) => new TextEncoder().encode(t);

  it('SentencePiece: a character with a piece only as that piece, never as byte-fallback tokens', () => {
    const { tokenizer } = spmModel();
    const text = utf8(' retu\n"café');
    const ok = producibleAt(tokenizer, text);
    const byteToken = (b: number) => 3 + b;
    const piece = (ch: string) => Array.from(encodeContinuing(tokenizer, ch));
    const bytesOf = (id: number) => tokenizer.tokenBytes(id)!;
    const [space] = piece(' ');
    const [t] = piece('t');
    assert.equal(new TextDecoder().decode(bytesOf(t)), 't');
    assert.equal(ok(space, bytesOf(space), 0), true);
    assert.equal(ok(byteToken(0x20), Uint8Array.of(0x20), 0), false);
    assert.equal(ok(t, bytesOf(t), 3), true);
    assert.equal(ok(byteToken(0x74), Uint8Array.of(0x74), 3), false);
    // Tokens longer than the character, and characters without a piece (here "\n" and "é"), are left alone.
    assert.equal(ok(999_999, utf8('retu'), 1), true);
    assert.deepEqual(piece('\n'), [byteToken(0x0a)]);
    assert.equal(ok(byteToken(0x0a), Uint8Array.of(0x0a), 5), true);
    const e = text.length - 2;
    assert.deepEqual(piece('é'), [byteToken(0xc3), byteToken(0xa9)]);
    assert.equal(ok(byteToken(0xc3), Uint8Array.of(0xc3), e) && ok(byteToken(0xa9), Uint8Array.of(0xa9), e + 1), true);
    assert.equal(ok(byteToken(0x20), Uint8Array.of(0x20), text.length), true);
  });

  it('unusedByteTokens: the byte-fallback tokens of ASCII characters that have a piece, none for BPE', () => {
    const { tokenizer } = spmModel();
    const unused = new Set(unusedByteTokens(tokenizer));
    const byteToken = (b: number) => 3 + b;
    for (const ch of ' t~') {
      assert.ok(unused.has(byteToken(ch.charCodeAt(0))), ch);
      assert.ok(!unused.has(encodeContinuing(tokenizer, ch)[0]), ch);
    }
    assert.ok(!unused.has(byteToken(0x0a)) && !unused.has(byteToken(0xc3)));
    assert.deepEqual(unusedByteTokens(qwen), []);
  });

  it('bannedByteTokensFor: also the byte-fallback tokens of the tail\'s non-ASCII characters that have a piece', () => {
    // Gemma 3 is SentencePiece with byte fallback, and has a piece for "é" (the tiny models have none).
    const gemma = loadTokenizerSync('gemma3');
    assert.equal(gemma.pieces, undefined);
    const [e] = encodeContinuing(gemma, 'é');
    assert.deepEqual(Array.from(gemma.tokenBytes(e)!), [0xc3, 0xa9]);
    const byteTokensOf = (b: number) => Array.from({ length: gemma.vocabSize }, (_, id) => id).filter((id) => gemma.specialToken(id) === undefined && gemma.tokenBytes(id)?.length === 1 && gemma.tokenBytes(id)![0] === b);
    const fallback = [...byteTokensOf(0xc3), ...byteTokensOf(0xa9)];
    assert.equal(fallback.length, 2);
    const banned = new Set(bannedByteTokensFor(gemma, utf8(' café')));
    for (const id of [...unusedByteTokens(gemma), ...fallback]) assert.ok(banned.has(id), String(id));
    assert.equal(banned.size, unusedByteTokens(gemma).length + 2);
    assert.ok(!banned.has(e));
    // As on the distributions path: those byte tokens cannot stand for "é" in the tail.
    const ok = producibleAt(gemma, utf8('café'));
    assert.equal(ok(fallback[0], Uint8Array.of(0xc3), 3), false);
    assert.equal(ok(e, utf8('é'), 3), true);
    // An ASCII tail bans what unusedByteTokens bans.
    assert.deepEqual(bannedByteTokensFor(gemma, utf8('retu')), unusedByteTokens(gemma));
  });

  it('bannedByteTokensFor: a character without a piece keeps its byte tokens; nothing for BPE', () => {
    const { tokenizer } = spmModel();
    assert.deepEqual(bannedByteTokensFor(tokenizer, utf8('café')), unusedByteTokens(tokenizer));
    assert.deepEqual(bannedByteTokensFor(qwen, utf8('café')), []);
  });

  it('byte-level BPE: every token whose bytes fit is allowed', () => {
    const text = utf8(' retu é');
    const ok = producibleAt(qwen, text);
    for (let at = 0; at < text.length; at++) assert.equal(ok(0, text.subarray(at, at + 1), at), true);
  });
});
