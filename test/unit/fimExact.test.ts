/**
 * The exact byte-level method against the toy oracle of fim-exact §6: next-byte distributions and cover
 * probabilities equal the chain's truth to 1e-12 on the documented fixtures, on every prefix of the toy,
 * and on random chains and merges; the mask is checked with a leaky LM; and the naive and healing
 * baselines reproduce the documented failures, where the exact method does not fail.
 */
import assert from 'node:assert/strict';
import { coverEncodings, exactNextByteDistribution } from '../../src/core/fim/exact';
import type { Cover, TokenModel } from '../../src/core/fim/exact/types';
import { END, healMulti, healOne, leakyModel, naiveNextByte, randomChain, rng, TOY, ToyOracle } from '../fixtures/toyOracle';

const EXACT = 1e-12;
const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const NO_HEAD = new Uint32Array(0);

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, tolerance: number, what: string): void {
  const d = maxAbsDiff(got, want);
  assert.ok(d <= tolerance, `${what}: max abs error ${d} > ${tolerance}\n got  ${Array.from(got).filter((_, i) => want[i] || got[i]).map((v) => v.toFixed(6))}\n want ${Array.from(want).filter((_, i) => want[i] || got[i]).map((v) => v.toFixed(6))}`);
}

/** A fixture row "a .35 b .30 c .20 EOS .15" as 257 entries. */
function row(a: number, b: number, c: number, eos: number): Float64Array {
  const out = new Float64Array(257);
  out[97] = a;
  out[98] = b;
  out[99] = c;
  out[END] = eos;
  return out;
}

/** Covers as "tok,tok+remainder" → probability. */
function coverTable(oracle: ToyOracle, covers: Cover[]): Map<string, number> {
  return new Map(covers.map((c) => [Array.from(c.tokens, (t) => oracle.tokens[t]).join(',') + (c.remainder.length ? `+${String.fromCharCode(...c.remainder)}` : ''), Math.exp(c.logProb)]));
}

/** Every cover of x by brute force over the induced LM's support: token sequences with mass > 0. */
function bruteCovers(oracle: ToyOracle, x: string): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (ids: number[], text: string) => {
    for (let t = 0; t < oracle.eosId; t++) {
      const next = text + oracle.tokens[t];
      const seq = [...ids, t];
      const p = oracle.tokenPrefixProb(seq);
      if (!(p > 0)) continue;
      if (next.length >= x.length) {
        if (next.startsWith(x)) out.set(seq.map((id) => oracle.tokens[id]).join(',') + (next.length > x.length ? `+${next.slice(x.length)}` : ''), p);
      } else if (x.startsWith(next)) walk(seq, next);
    }
  };
  walk([], '');
  return out;
}

describe('exact byte-level FIM (toy oracle, fim-exact §6)', function () {
  this.timeout(120_000);
  const oracle = new ToyOracle(TOY);

  it('builds the documented toy: 29,523 strings, 9 tokens plus EOS, the induced LM rows of §6.4', () => {
    assert.equal(oracle.strings.length, 29_523);
    assert.deepEqual(oracle.tokens.slice(0, -1), ['a', 'b', 'c', 'ab', 'bc', 'aa', 'abc', 'aab', 'cc']);
    const id = (t: string) => oracle.tokens.indexOf(t);
    const rows: [string[], Record<string, number>][] = [
      [[], { a: 0.196, b: 0.18, c: 0.14, ab: 0.09, bc: 0.12, aa: 0.1225, abc: 0.06, aab: 0.0315, cc: 0.06 }],
      [['a'], { c: 0.357143, abc: 0.107143, cc: 0.153061, '': 0.382653 }],
      [['aa'], { a: 0.196, c: 0.2, ab: 0.09, aa: 0.1225, abc: 0.06, aab: 0.0315, cc: 0.085714, '': 0.214286 }],
    ];
    for (const [ctx, want] of rows) {
      const probs = oracle.probsAfter(ctx.map(id));
      for (let t = 0; t < oracle.vocabSize; t++) assert.ok(Math.abs(probs[t] - (want[oracle.tokens[t]] ?? 0)) < 1e-6, `P(${oracle.tokens[t] || 'EOS'} | [${ctx}]) = ${probs[t]}`);
    }
  });

  describe('the fixtures of §6.4', () => {
    const fixtures: [string, Float64Array, Record<string, number>][] = [
      ['a', row(0.35, 0.3, 0.2, 0.15), { a: 0.196, 'ab+b': 0.09, 'aa+a': 0.1225, 'abc+bc': 0.06, 'aab+ab': 0.0315 }],
      ['aa', row(0.35, 0.3, 0.2, 0.15), { aa: 0.1225, 'aab+b': 0.0315, 'a,abc+bc': 0.021 }],
      ['aab', row(0.25, 0.25, 0.4, 0.1), { aab: 0.0315, 'a,abc+c': 0.021 }],
      ['ab', row(0.25, 0.25, 0.4, 0.1), { ab: 0.09, 'abc+c': 0.06 }],
      ['cab', row(0.25, 0.25, 0.4, 0.1), { 'c,ab': 0.2 * 0.3 * 0.3 * 0.6, 'c,abc+c': 0.2 * 0.3 * 0.3 * 0.4 }],
      ['bab', row(0.25, 0.25, 0.4, 0.1), { 'b,ab': 0.3 * 0.25 * 0.3 * 0.6, 'b,abc+c': 0.3 * 0.25 * 0.3 * 0.4 }],
      ['caa', row(0.35, 0.3, 0.2, 0.15), { 'c,aa': 0.0147, 'c,aab+b': 0.00378, 'c,a,abc+bc': 0.00252 }],
      ['abc', row(0.3, 0.2, 0.3, 0.2), { abc: 0.06 }],
    ];
    for (const [x, truth, covers] of fixtures) {
      it(`"${x}": the next byte is the chain's row, the covers are the listed ones and sum to P("${x}")`, async () => {
        assertClose(await exactNextByteDistribution(oracle, oracle, NO_HEAD, bytes(x)), truth, EXACT, x);
        assertClose(truth, oracle.truth(x), EXACT, 'fixture row');
        const got = coverTable(oracle, await coverEncodings(oracle, oracle, NO_HEAD, bytes(x)));
        assert.deepEqual([...got.keys()].sort(), Object.keys(covers).sort());
        for (const [k, p] of got) {
          assert.ok(Math.abs(p - covers[k]) < 5e-5, `cover ${k}: ${p} vs listed ${covers[k]}`);
          assert.ok(Math.abs(p - (bruteCovers(oracle, x).get(k) as number)) < EXACT, `cover ${k} vs the induced LM`);
        }
        const sum = [...got.values()].reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(sum - oracle.prefixProb(x)) < EXACT, `Σ covers ${sum} vs P(x) ${oracle.prefixProb(x)}`);
      });
    }
  });

  it('every one of the 9,840 prefixes of length 1–8: next byte to 1e-12, covers = the brute-force set, BTR lemma', async () => {
    const prefixes = oracle.strings.filter((s) => s.length <= 8);
    assert.equal(prefixes.length, 9_840);
    let worst = 0;
    let worstRel = 0;
    for (const x of prefixes) {
      worst = Math.max(worst, maxAbsDiff(await exactNextByteDistribution(oracle, oracle, NO_HEAD, bytes(x)), oracle.truth(x)));
      const covers = coverTable(oracle, await coverEncodings(oracle, oracle, NO_HEAD, bytes(x)));
      const brute = bruteCovers(oracle, x);
      assert.deepEqual([...covers.keys()].sort(), [...brute.keys()].sort(), `covers of ${x}`);
      for (const [k, p] of covers) assert.ok(Math.abs(p - (brute.get(k) as number)) <= EXACT, `${x}: cover ${k}`);
      const sum = [...covers.values()].reduce((a, b) => a + b, 0);
      worstRel = Math.max(worstRel, Math.abs(sum / oracle.prefixProb(x) - 1));
    }
    assert.ok(worst <= EXACT, `max abs error ${worst}`);
    assert.ok(worstRel <= EXACT, `BTR max relative error ${worstRel}`);
  });

  it('the exact-end cover is unique and is encode(x); the partition holds for every extension', async () => {
    for (const x of oracle.strings.filter((s) => s.length <= 4)) {
      const covers = await coverEncodings(oracle, oracle, NO_HEAD, bytes(x));
      const exactEnd = covers.filter((c) => c.remainder.length === 0);
      assert.equal(exactEnd.length, 1, x);
      assert.deepEqual(Array.from(exactEnd[0].tokens), oracle.encode(x));
      for (const s of oracle.strings) {
        if (!s.startsWith(x)) continue;
        const enc = oracle.encode(s);
        const hits = covers.filter((c) => c.tokens.length <= enc.length && c.tokens.every((t, i) => enc[i] === t));
        assert.equal(hits.length, 1, `${x} in ${s}`);
      }
    }
  });

  it('batches by trie depth: one model call per level, never more than the longest left plus one', async () => {
    for (const x of ['a', 'aab', 'cabca', 'aaaaaaaa', 'bcbcaabc']) {
      const before = oracle.calls;
      await exactNextByteDistribution(oracle, oracle, NO_HEAD, bytes(x));
      const calls = oracle.calls - before;
      assert.ok(calls <= oracle.encode(x).length + 1, `${x}: ${calls} calls`);
      assert.ok(calls >= 1);
    }
  });

  it('a head before a stable anchor: covers relative to the head, the same next byte as the whole prefix', async () => {
    // b and c never merge with a following a, so a tail that starts with a starts at a stable anchor.
    const r = rng(7);
    for (let i = 0; i < 400; i++) {
      const h = oracle.strings[Math.floor(r() * oracle.strings.length)];
      if (h.length > 5 || h.endsWith('a')) continue;
      const x = 'a' + 'abc'.slice(0, Math.floor(r() * 3)) + 'cab'.slice(0, Math.floor(r() * 3));
      if (h.length + x.length > 8) continue;
      const head = Uint32Array.from(oracle.encode(h));
      assertClose(await exactNextByteDistribution(oracle, oracle, head, bytes(x)), oracle.truth(h + x), EXACT, `${h}|${x}`);
      const covers = await coverEncodings(oracle, oracle, head, bytes(x));
      const sum = covers.reduce((s, c) => s + Math.exp(c.logProb), 0);
      assert.ok(Math.abs(sum - oracle.prefixProb(h + x) / oracle.tokenPrefixProb(head)) < EXACT, `${h}|${x}: Σ covers`);
    }
  });

  it('an empty tail: the distribution at the head, and one empty cover', async () => {
    assertClose(await exactNextByteDistribution(oracle, oracle, NO_HEAD, new Uint8Array(0)), oracle.truth(''), EXACT, 'start');
    const covers = await coverEncodings(oracle, oracle, NO_HEAD, new Uint8Array(0));
    assert.equal(covers.length, 1);
    assert.equal(covers[0].tokens.length, 0);
  });

  it('a tail with probability 0 (past the length cap, or bytes outside the alphabet) is an error, not NaN', async () => {
    await assert.rejects(exactNextByteDistribution(oracle, oracle, NO_HEAD, bytes('abcabcabca')), /probability 0/);
    await assert.rejects(exactNextByteDistribution(oracle, oracle, NO_HEAD, bytes('ax')), /probability 0/);
  });

  it('an aborted signal stops between model calls', async () => {
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    await assert.rejects(exactNextByteDistribution(oracle, oracle, NO_HEAD, bytes('aab'), controller.signal), /cancelled/);
    const slow: TokenModel = {
      eosId: oracle.eosId,
      nextTokenProbs: async (contexts) => {
        controller2.abort(new Error('stop now'));
        return oracle.nextTokenProbs(contexts);
      },
    };
    const controller2 = new AbortController();
    await assert.rejects(coverEncodings(slow, oracle, NO_HEAD, bytes('aaaab'), controller2.signal), /stop now/);
  });

  describe('random chains and merges (property tests)', () => {
    for (let seed = 1; seed <= 40; seed++) {
      it(`seed ${seed}: prefix-canonicity holds, and every prefix's next byte and Σ covers are exact`, async () => {
        const toy = new ToyOracle(randomChain(seed));
        // Prefix-canonicity (§2.1) at every boundary of every encoding: the method's precondition.
        for (const s of toy.strings) {
          const enc = toy.encode(s);
          for (let k = 1; k < enc.length; k++) assert.deepEqual(toy.encode(toy.decode(enc.slice(0, k))), enc.slice(0, k), `${s} at ${k}`);
        }
        const r = rng(seed * 31);
        const prefixes = toy.strings.filter((s) => s.length < toy.spec.nmax && (toy.strings.length < 2000 || r() < 0.3));
        for (const x of prefixes) {
          assertClose(await exactNextByteDistribution(toy, toy, NO_HEAD, bytes(x)), toy.truth(x), EXACT, `seed ${seed} "${x}" (merges ${toy.spec.merges.map((m) => m.join('+'))})`);
          const covers = await coverEncodings(toy, toy, NO_HEAD, bytes(x));
          const sum = covers.reduce((s, c) => s + Math.exp(c.logProb), 0);
          assert.ok(Math.abs(sum / toy.prefixProb(x) - 1) <= EXACT, `seed ${seed} "${x}": Σ covers ${sum} vs ${toy.prefixProb(x)}`);
        }
      });
    }
  });

  describe('the validity mask, with a leaky LM (§2.5)', () => {
    const leaky = leakyModel(oracle, 0.05);
    const prefixes = oracle.strings.filter((s) => s.length <= 6);

    /** No mask: every longer candidate after every left, plus all of the distribution at T (the "none" row). */
    async function unmasked(x: string): Promise<Float64Array> {
      const out = new Float64Array(257);
      const score = async (ids: number[]) => {
        let p = 1;
        for (let j = 0; j < ids.length; j++) p *= (await leaky.nextTokenProbs([Uint32Array.from(ids.slice(0, j))]))[0][ids[j]];
        return p;
      };
      for (let i = 0; i < x.length; i++) {
        const left = oracle.encode(x.slice(0, i));
        const pl = await score(left);
        const [probs] = await leaky.nextTokenProbs([Uint32Array.from(left)]);
        for (let t = 0; t < oracle.eosId; t++) {
          const text = oracle.tokens[t];
          if (text.length > x.length - i && text.startsWith(x.slice(i))) out[text.charCodeAt(x.length - i)] += pl * probs[t];
        }
      }
      const tn = oracle.encode(x);
      const pt = await score(tn);
      const [probs] = await leaky.nextTokenProbs([Uint32Array.from(tn)]);
      for (let t = 0; t < oracle.vocabSize; t++) out[t === oracle.eosId ? END : oracle.tokens[t].charCodeAt(0)] += pt * probs[t];
      const s = out.reduce((a, b) => a + b, 0);
      return out.map((v) => v / s);
    }

    it('no mask errs by about 5e-2, the mask alone by about 1.2e-2, mask + renormalize is exact', async () => {
      let none = 0;
      let mask = 0;
      let renorm = 0;
      for (const x of prefixes) {
        const truth = oracle.truth(x);
        none = Math.max(none, maxAbsDiff(await unmasked(x), truth));
        mask = Math.max(mask, maxAbsDiff(await exactNextByteDistribution(leaky, oracle, NO_HEAD, bytes(x)), truth));
        renorm = Math.max(renorm, maxAbsDiff(await exactNextByteDistribution(leaky, oracle, NO_HEAD, bytes(x), undefined, { renormalize: true }), truth));
      }
      if (process.env.FIM_EXACT_COST) console.log(`leaky LM: none ${none}, mask ${mask}, mask+renormalize ${renorm}`);
      assert.ok(Math.abs(none - 5.1e-2) < 5e-3, `no mask: ${none}`);
      assert.ok(Math.abs(mask - 1.2e-2) < 5e-3, `mask: ${mask}`);
      assert.ok(renorm <= EXACT, `mask + renormalize: ${renorm}`);
    });

    it('on the exact induced LM, renormalizing changes nothing', async () => {
      for (const x of ['a', 'aa', 'aab', 'cab', 'bcbca']) {
        assertClose(await exactNextByteDistribution(oracle, oracle, NO_HEAD, bytes(x), undefined, { renormalize: true }), oracle.truth(x), EXACT, x);
      }
    });
  });

  describe('where token healing fails and the exact method does not (§4.7)', () => {
    const fixtures: [string, string, Float64Array][] = [
      ['a', 'naive', row(0.1071, 0, 0.5102, 0.3827)],
      ['aa', 'naive', row(0.5, 0, 0.2857, 0.2143)],
      ['aa', 'heal k=1', row(0.3977, 0.2045, 0.2273, 0.1705)],
      ['aa', 'heal k=3', row(0.175, 0.65, 0.1, 0.075)],
      ['aab', 'naive', row(0.4167, 0.4167, 0, 0.1667)],
      ['aab', 'heal k=1', row(0.4167, 0.4167, 0, 0.1667)],
      ['aab', 'heal k=3', row(0.0577, 0.0577, 0.8615, 0.0231)],
    ];
    const run = (x: string, method: string) => (method === 'naive' ? naiveNextByte(oracle, x) : method === 'heal k=1' ? healOne(oracle, x) : healMulti(oracle, x, 3));
    for (const [x, method, want] of fixtures) {
      it(`"${x}": ${method} gives the documented wrong row; exact gives the truth`, async () => {
        const got = run(x, method);
        assertClose(got, want, 5e-5, `${method} on ${x}`);
        assert.ok(maxAbsDiff(got, oracle.truth(x)) > 0.05, `${method} should be wrong on ${x}`);
        assertClose(await exactNextByteDistribution(oracle, oracle, NO_HEAD, bytes(x)), oracle.truth(x), EXACT, `exact on ${x}`);
      });
    }

    it('"a": both healings are exact where the naive one is not', () => {
      assertClose(healOne(oracle, 'a'), oracle.truth('a'), EXACT, 'k=1');
      assertClose(healMulti(oracle, 'a', 3), oracle.truth('a'), EXACT, 'k=3');
    });

    it('over all prefixes: naive wrong on 8,200, k=1 on 546, multi-step on 546; the global back-off tree is exact', async () => {
      const prefixes = oracle.strings.filter((s) => s.length <= 8);
      const tv = (d: Float64Array, x: string) => 0.5 * Array.from(oracle.truth(x)).reduce((s, v, i) => s + Math.abs(v - d[i]), 0);
      let naive = 0;
      let one = 0;
      let multi = 0;
      let oneMean = 0;
      let multiMean = 0;
      let naiveMean = 0;
      for (const x of prefixes) {
        const [n, o, m] = [tv(naiveNextByte(oracle, x), x), tv(healOne(oracle, x), x), tv(healMulti(oracle, x, 3), x)];
        naive += n > 1e-9 ? 1 : 0;
        one += o > 1e-9 ? 1 : 0;
        multi += m > 1e-9 ? 1 : 0;
        naiveMean += n / prefixes.length;
        oneMean += o / prefixes.length;
        multiMean += m / prefixes.length;
      }
      assert.deepEqual([naive, one, multi], [8_200, 546, 546]);
      assert.ok(Math.abs(naiveMean - 0.368) < 5e-4 && Math.abs(oneMean - 0.0137) < 5e-5 && Math.abs(multiMean - 0.0225) < 5e-5, `${naiveMean} ${oneMean} ${multiMean}`);
      for (const x of oracle.strings.filter((s) => s.length <= 5)) assertClose(healMulti(oracle, x, 0, true), oracle.truth(x), EXACT, `global ${x}`);
    });
  });
});
