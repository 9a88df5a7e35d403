/**
 * Drawing one cover: over many draws with a seeded random source the frequencies match exp(logProb / T)
 * normalized (the cover probabilities at T = 1), T → 0 gives the argmax, and covers of probability 0 are
 * never drawn.
 */
import assert from 'node:assert/strict';
import { sampleCover } from '../../src/core/fim/exact';
import type { Cover } from '../../src/core/fim/exact/types';
import { rng } from '../fixtures/toyOracle';

const cover = (id: number, p: number): Cover => ({ tokens: Uint32Array.of(id), logProb: Math.log(p), remainder: new Uint8Array(0) });

/** Unnormalized cover probabilities (they sum to P(tail | head), not 1), as covers are. */
const COVERS = [cover(1, 0.09), cover(2, 0.03), cover(3, 0.15), cover(4, 0.0), cover(5, 0.03)];

function frequencies(covers: readonly Cover[], temperature: number, draws: number, seed: number): number[] {
  const random = rng(seed);
  const counts = covers.map(() => 0);
  for (let i = 0; i < draws; i++) counts[covers.indexOf(sampleCover(covers, temperature, random)!)]++;
  return counts.map((c) => c / draws);
}

describe('sampleCover', () => {
  const DRAWS = 200_000;
  // Five standard deviations of a frequency at p = 0.5.
  const TOLERANCE = 5 * Math.sqrt(0.25 / DRAWS);

  for (const temperature of [1, 0.5, 2]) {
    it(`T = ${temperature}: frequencies match exp(logProb / T), normalized`, () => {
      const weights = COVERS.map((c) => Math.exp(c.logProb / temperature));
      const total = weights.reduce((a, w) => a + w, 0);
      const want = weights.map((w) => w / total);
      const got = frequencies(COVERS, temperature, DRAWS, 42 + temperature * 10);
      got.forEach((f, i) => assert.ok(Math.abs(f - want[i]) <= TOLERANCE, `cover ${i}: ${f} against ${want[i]}`));
      assert.equal(got[3], 0, 'a cover of probability 0 is never drawn');
    });
  }

  it('T = 1 gives the cover probabilities given the tail: 0.3, 0.1, 0.5, 0, 0.1', () => {
    const got = frequencies(COVERS, 1, DRAWS, 7);
    [0.3, 0.1, 0.5, 0, 0.1].forEach((p, i) => assert.ok(Math.abs(got[i] - p) <= TOLERANCE, `cover ${i}: ${got[i]}`));
  });

  it('T → 0 and T = 0 give the argmax, whatever the random source says', () => {
    for (const temperature of [0, 1e-3, 1e-6]) {
      for (const r of [1e-9, 0.2, 0.5, 0.999999]) assert.equal(sampleCover(COVERS, temperature, () => r), COVERS[2], `T = ${temperature}, r = ${r}`);
    }
  });

  it('tiny probabilities do not underflow; the ends of the random range are safe', () => {
    const tiny = [cover(1, 1e-300), { tokens: Uint32Array.of(2), logProb: -800, remainder: new Uint8Array(0) }];
    assert.equal(sampleCover(tiny, 1, () => 0), tiny[0]);
    assert.equal(sampleCover(tiny, 1, () => 0.999999999), tiny[0]);
    assert.equal(sampleCover(COVERS, 1, () => 0), COVERS[0]);
    assert.equal(sampleCover(COVERS, 1, () => 1 - Number.EPSILON), COVERS[4]);
  });

  it('no cover, or none with probability above 0, draws nothing', () => {
    assert.equal(sampleCover([], 1), undefined);
    assert.equal(sampleCover([cover(1, 0)], 1), undefined);
    assert.equal(sampleCover([cover(1, 0)], 0), undefined);
  });
});
