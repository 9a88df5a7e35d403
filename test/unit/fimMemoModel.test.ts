/** A memoized token model returns what the model returns, and scores each distinct context once. */
import assert from 'node:assert/strict';
import { exactNextByteDistribution } from '../../src/core/fim/exact';
import { memoizedModel } from '../../src/core/fim/exact/memoModel';
import type { TokenModel } from '../../src/core/fim/exact/types';
import { TOY, ToyOracle } from '../fixtures/toyOracle';

/** The toy model with every context it is asked for counted. */
function counting(oracle: ToyOracle): TokenModel & { scored: number } {
  const model = {
    eosId: oracle.eosId,
    scored: 0,
    nextTokenProbs(contexts: Uint32Array[]) {
      model.scored += contexts.length;
      return oracle.nextTokenProbs(contexts);
    },
  };
  return model;
}

describe('memoizedModel', () => {
  it('scores a context once, across calls and within one batch', async () => {
    const oracle = new ToyOracle(TOY);
    const inner = counting(oracle);
    const model = memoizedModel(inner);
    const a = Uint32Array.of(0, 1);
    const b = Uint32Array.of(1);
    const [first, again, other] = await model.nextTokenProbs([a, Uint32Array.of(0, 1), b]);
    assert.equal(inner.scored, 2);
    assert.deepEqual(first, (await oracle.nextTokenProbs([a]))[0]);
    assert.equal(again, first);
    assert.deepEqual(other, (await oracle.nextTokenProbs([b]))[0]);
    await model.nextTokenProbs([b, a]);
    assert.equal(inner.scored, 2);
  });

  it('gives the exact next-byte distribution unchanged while asking for fewer contexts the second time', async () => {
    const oracle = new ToyOracle(TOY);
    const inner = counting(oracle);
    const model = memoizedModel(inner);
    const tail = Uint8Array.from('abc', (c) => c.charCodeAt(0));
    const want = await exactNextByteDistribution(oracle, oracle, new Uint32Array(0), tail);
    assert.deepEqual(await exactNextByteDistribution(model, oracle, new Uint32Array(0), tail), want);
    const once = inner.scored;
    assert.deepEqual(await exactNextByteDistribution(model, oracle, new Uint32Array(0), tail), want);
    assert.equal(inner.scored, once);
  });
});
