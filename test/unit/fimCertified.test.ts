/**
 * The certified exact method on partial distributions (top k with bounds) gives the full method's answer
 * exactly: the argmax next byte and the most probable cover of the tail and that byte. Tiny k forces it to
 * escalate; a model with a real vocabulary (Qwen 3's 151,669 tokens) and random, peaked distributions checks it
 * where the lists are a sliver of the vocabulary. The bounded next-byte view is within its stated error.
 */
import assert from 'node:assert/strict';
import { coverEncodings, END_OF_TEXT, exactNextByteDistribution } from '../../src/core/fim/exact';
import { boundedNextBytes, certifiedFirstStep, newCertifiedStats, type FirstStep } from '../../src/core/fim/exact/certified';
import { partialModelOf } from '../../src/core/fim/exact/partial';
import type { ByteTokenizer, TokenModel } from '../../src/core/fim/exact/types';
import { encodeBytesWith } from '../../src/core/fim/exact/tokenModel';
import { loadTokenizerSync } from '../../src/core/tokenizers/registry';
import { leakyModel, randomChain, rng, TOY, ToyOracle } from '../fixtures/toyOracle';

const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const NO_HEAD = new Uint32Array(0);

/** The first index within 1e-12 of the largest: an exact tie goes to the first, whatever the rounding. */
function firstMax(values: number[]): number {
  const max = Math.max(...values);
  return values.findIndex((v) => v >= max * (1 - 1e-12));
}

/** The full method's first step: the argmax of the exact next-byte distribution, then the best cover. */
async function fullFirstStep(model: TokenModel, tokenizer: ByteTokenizer, head: Uint32Array, tail: Uint8Array): Promise<FirstStep | undefined> {
  let next: Float64Array;
  try {
    next = await exactNextByteDistribution(model, tokenizer, head, tail);
  } catch {
    return undefined;
  }
  const byte = firstMax(Array.from(next));
  if (byte === END_OF_TEXT) return { byte };
  const covers = await coverEncodings(model, tokenizer, head, Uint8Array.from([...tail, byte]));
  const best = covers[firstMax(covers.map((c) => Math.exp(c.logProb)))];
  if (!best || best.logProb === -Infinity) return undefined;
  return { byte, cover: { ...best, remainder: Uint8Array.from([byte, ...best.remainder]) } };
}

function assertSameStep(got: FirstStep | undefined, want: FirstStep | undefined, what: string): void {
  assert.equal(got?.byte, want?.byte, `${what}: next byte`);
  assert.deepEqual(got?.cover && Array.from(got.cover.tokens), want?.cover && Array.from(want.cover.tokens), `${what}: cover tokens`);
  assert.deepEqual(got?.cover && Array.from(got.cover.remainder), want?.cover && Array.from(want.cover.remainder), `${what}: remainder`);
  if (got?.cover && want?.cover) assert.ok(Math.abs(got.cover.logProb - want.cover.logProb) < 1e-9, `${what}: log P ${got.cover.logProb} vs ${want.cover.logProb}`);
}

describe('certified exact completion on top-k distributions', function () {
  this.timeout(300_000);

  it('toy oracle, every prefix up to 6 bytes, k from 1: the full method\'s step, escalating where the lists are too short', async () => {
    const oracle = new ToyOracle(TOY);
    const partial = partialModelOf(oracle, oracle.vocabSize);
    let escalated = 0;
    let fromPartial = 0;
    for (const x of oracle.strings.filter((s) => s.length >= 1 && s.length <= 6)) {
      const stats = newCertifiedStats();
      const got = await certifiedFirstStep(partial, oracle, NO_HEAD, bytes(x), { schedule: [1, 2, 4], stats });
      assertSameStep(got, await fullFirstStep(oracle, oracle, NO_HEAD, bytes(x)), x);
      if (stats.escalations > 0) escalated++;
      if (stats.topK < oracle.vocabSize) fromPartial++;
    }
    assert.ok(escalated > 100 && fromPartial > 20, `escalated on ${escalated}, certified from a partial list on ${fromPartial}`);
  });

  it('random chains and merges, and a leaky model: the same step for every prefix', async () => {
    for (let seed = 1; seed <= 25; seed++) {
      const oracle = new ToyOracle(randomChain(seed));
      const models: [string, TokenModel][] = [['exact', oracle], ['leaky', leakyModel(oracle, 0.05)]];
      for (const [name, model] of models) {
        const partial = partialModelOf(model, oracle.vocabSize);
        for (const x of oracle.strings.filter((s) => s.length >= 1 && s.length <= 4)) {
          const got = await certifiedFirstStep(partial, oracle, NO_HEAD, bytes(x), { schedule: [1, 3] });
          assertSameStep(got, await fullFirstStep(model, oracle, NO_HEAD, bytes(x)), `seed ${seed} ${name} ${x}`);
        }
      }
    }
  });

  it('the bounded next-byte view holds the exact distribution within its stated error', async () => {
    const oracle = new ToyOracle(TOY);
    const partial = partialModelOf(oracle, oracle.vocabSize);
    for (const x of ['a', 'aa', 'aab', 'abc', 'cab', 'bbb']) {
      const exact = await exactNextByteDistribution(oracle, oracle, NO_HEAD, bytes(x));
      for (const tolerance of [0.2, 0.01, 0]) {
        const view = await boundedNextBytes(partial, oracle, NO_HEAD, bytes(x), tolerance, { schedule: [1, 2, 4] });
        assert.ok(view.maxError <= tolerance, `${x}: error ${view.maxError} over ${tolerance}`);
        for (let b = 0; b < 257; b++) assert.ok(Math.abs(view.probs[b] - exact[b]) <= view.maxError + 1e-12, `${x} byte ${b}: ${view.probs[b]} vs ${exact[b]} ± ${view.maxError}`);
      }
    }
  });

  describe('a real vocabulary (Qwen 3, 151,669 tokens) with random peaked distributions', () => {
    const qwen = loadTokenizerSync('qwen3');
    const vocabSize = qwen.vocabSize;
    const special = new Set(Array.from({ length: vocabSize }, (_, id) => id).filter((id) => qwen.specialToken(id) !== undefined));
    const tokenizer: ByteTokenizer = {
      vocabSize,
      tokenBytes: (id) => (special.has(id) ? new Uint8Array(0) : (qwen.tokenBytes(id) ?? new Uint8Array(0))),
      encodeBytes: encodeBytesWith(qwen),
    };
    /** Deterministic per context: logits drawn from the context's hash, a few tokens far above the rest. */
    const model: TokenModel = {
      eosId: 151643,
      async nextTokenProbs(contexts) {
        return contexts.map((c) => {
          let h = 2166136261;
          for (const t of c) h = Math.imul(h ^ t, 16777619) >>> 0;
          const r = rng(h);
          const logits = new Float64Array(vocabSize);
          let max = -Infinity;
          for (let i = 0; i < vocabSize; i++) {
            logits[i] = special.has(i) && i !== 151643 ? -Infinity : 6 * Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
            max = Math.max(max, logits[i]);
          }
          let sum = 0;
          for (let i = 0; i < vocabSize; i++) sum += logits[i] = Math.exp(logits[i] - max);
          return logits.map((v) => v / sum);
        });
      },
    };
    const cached = new Map<string, Float64Array>();
    const memo: TokenModel = {
      eosId: model.eosId,
      async nextTokenProbs(contexts) {
        const out: Float64Array[] = [];
        for (const c of contexts) {
          const key = c.join(',');
          if (!cached.has(key)) cached.set(key, (await model.nextTokenProbs([c]))[0]);
          out.push(cached.get(key) as Float64Array);
        }
        return out;
      },
    };
    const tails = ['re', 'retu', 'const', 'func', 'ret', 'nodeT', 'this.', 'getEl', 'ab', 'x'];
    const head = Uint32Array.from(qwen.encode('function run(node) {\n  '));

    for (const [engine, listsWanted] of [['the top k and the wanted ids (the embedded engine)', true], ['the top k only (llama-server)', false]] as const) {
      it(`${engine}: the full method's step on ${tails.length} tails, certified from 64 ids on most with wanted ids`, async () => {
        const partial = partialModelOf(memo, vocabSize, listsWanted);
        let atFirstTry = 0;
        for (const tail of tails) {
          const stats = newCertifiedStats();
          const bytes = new TextEncoder().encode(tail);
          assertSameStep(await certifiedFirstStep(partial, tokenizer, head, bytes, { stats }), await fullFirstStep(memo, tokenizer, head, bytes), tail);
          if (stats.escalations === 0) atFirstTry++;
        }
        if (listsWanted) assert.ok(atFirstTry >= tails.length / 2, `certified at the first try on ${atFirstTry} of ${tails.length}`);
      });
    }
  });
});
