/**
 * The incremental next-byte state of fim-exact §2.4 against the toy oracle and the batch algorithm: along
 * seeded random byte walks (the toy chain, random chains and merges with heads at stable anchors, random and
 * leaky token models), every distribution equals the batch one and the chain's truth to 1e-12, the covers
 * equal `coverEncodings` of the longer tail, and each byte costs exactly one model call.
 */
import assert from 'node:assert/strict';
import { coverEncodings, END_OF_TEXT, exactNextByteDistribution, IncrementalByteState } from '../../src/core/fim/exact';
import type { ByteTokenizer, Cover, ExactOptions, TokenModel } from '../../src/core/fim/exact/types';
import { END, leakyModel, randomChain, rng, TOY, ToyOracle } from '../fixtures/toyOracle';

const EXACT = 1e-12;
const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const text = (b: Uint8Array) => String.fromCharCode(...b);
const NO_HEAD = new Uint32Array(0);

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** A model that counts its calls. */
function counting(model: TokenModel): TokenModel & { calls: number } {
  const counted = {
    eosId: model.eosId,
    calls: 0,
    nextTokenProbs(contexts: Uint32Array[], signal?: AbortSignal) {
      counted.calls++;
      return model.nextTokenProbs(contexts, signal);
    },
  };
  return counted;
}

/**
 * A token model with no relation to any text: per context, a seeded random distribution over the whole
 * vocabulary (invalid tokens included), with about a fifth of the entries exactly 0.
 */
function randomModel(vocabSize: number, eosId: number, seed: number): TokenModel {
  return {
    eosId,
    async nextTokenProbs(contexts) {
      return contexts.map((context) => {
        let h = seed * 2654435761;
        for (const id of context) h = Math.imul(h ^ (id + 1), 0x9e3779b1) + 0x7f4a7c15;
        const r = rng(h ^ (h >>> 15) ^ context.length);
        const probs = Float64Array.from({ length: vocabSize }, () => (r() < 0.2 ? 0 : r() ** 2));
        const sum = probs.reduce((a, b) => a + b, 0);
        if (sum === 0) probs[eosId] = 1;
        return probs.map((p) => (sum === 0 ? p : p / sum));
      });
    },
  };
}

const coverKey = (c: Cover) => `${Array.from(c.tokens)}+${Array.from(c.remainder)}`;

function assertSameCovers(got: Cover[], want: Cover[], what: string): number {
  assert.deepEqual(got.map(coverKey), want.map(coverKey), `${what}: covers`);
  let worst = 0;
  got.forEach((c, k) => (worst = Math.max(worst, Math.abs(c.logProb - want[k].logProb))));
  assert.ok(worst <= EXACT, `${what}: cover log probabilities differ by ${worst}`);
  return worst;
}

/** A byte drawn from a distribution (END_OF_TEXT included). */
function draw(d: Float64Array, r: () => number): number {
  let u = r();
  for (let b = 0; b < d.length; b++) {
    if (d[b] <= 0) continue;
    u -= d[b];
    if (u < 0) return b;
  }
  let last = 0;
  d.forEach((p, b) => (last = p > 0 ? b : last));
  return last;
}

interface Walk {
  model: TokenModel;
  tokenizer: ByteTokenizer;
  head: Uint32Array;
  tail: Uint8Array;
  options?: ExactOptions;
  /** The true distribution after the tail, where known. */
  truth?: (x: Uint8Array) => Float64Array;
  r: () => number;
  /** Push some bytes without asking for the distribution first. */
  blind?: number;
  /** Stop after this many pushed bytes. */
  maxPushes?: number;
  /** Model calls per byte are exactly one (false where prefix-canonicity fails). */
  oneCall?: boolean;
}

const worst = { batch: 0, truth: 0, covers: 0, steps: 0, walks: 0, pushes: 0 };

/** Walks bytes drawn from the distributions, checking each step against the batch algorithm and the truth. */
async function walk(w: Walk): Promise<void> {
  const model = counting(w.model);
  const { tokenizer, head, options } = w;
  const batchAt = (y: Uint8Array) => exactNextByteDistribution(w.model, tokenizer, head, y, undefined, options);
  let state: IncrementalByteState;
  try {
    state = await IncrementalByteState.create(model, tokenizer, head, w.tail, undefined, options);
  } catch (e) {
    // Only where the batch algorithm finds probability 0 too.
    assert.match((e as Error).message, /probability 0/);
    await assert.rejects(batchAt(w.tail), /probability 0/);
    return;
  }
  let x = w.tail;
  worst.walks++;
  for (let pushes = 0; ; pushes++) {
    const what = `head [${Array.from(head)}] text "${text(x)}"`;
    assert.deepEqual(state.bytes, x);
    worst.covers = Math.max(worst.covers, assertSameCovers(state.covers(), await coverEncodings(w.model, tokenizer, head, x, undefined, options), what));
    let batch: Float64Array;
    try {
      batch = await batchAt(x);
    } catch (e) {
      assert.match((e as Error).message, /probability 0/);
      await assert.rejects(state.nextByteDistribution(), /probability 0/);
      return;
    }
    const blind = pushes > 0 && w.r() < (w.blind ?? 0);
    const expectedCalls = w.oneCall === false ? undefined : state.encoding ? 1 : 0;
    let before = model.calls;
    if (!blind) {
      const d = await state.nextByteDistribution();
      if (expectedCalls !== undefined) assert.equal(model.calls - before, expectedCalls, `${what}: model calls`);
      const again = await state.nextByteDistribution();
      assert.equal(model.calls - before, expectedCalls ?? model.calls - before, `${what}: asking twice`);
      assert.deepEqual(again, d);
      assert.equal(d.length, 257);
      const e = maxAbsDiff(d, batch);
      assert.ok(e <= EXACT, `${what}: incremental vs batch ${e}`);
      worst.batch = Math.max(worst.batch, e);
      if (w.truth) {
        const t = maxAbsDiff(d, w.truth(x));
        assert.ok(t <= EXACT, `${what}: incremental vs truth ${t}`);
        worst.truth = Math.max(worst.truth, t);
      }
      worst.steps++;
      before = model.calls;
    }
    const b = draw(batch, w.r);
    if (b === END_OF_TEXT || pushes >= (w.maxPushes ?? Infinity)) return;
    await state.push(b);
    worst.pushes++;
    if (expectedCalls !== undefined) assert.equal(model.calls - before, blind ? expectedCalls : 0, `${what}: push ${b} (${blind ? 'blind' : 'after asking'})`);
    x = Uint8Array.from([...x, b]);
  }
}

/** For each string, its encoding, and whether `h` is a stable anchor before `x`: every continuation keeps encode(h). */
function anchors(toy: ToyOracle): (h: string, x: string) => boolean {
  const enc = new Map(toy.strings.map((s) => [s, toy.encode(s)]));
  return (h, x) => {
    const e = toy.encode(h);
    for (const [s, es] of enc) if (s.startsWith(h + x) && !e.every((id, k) => es[k] === id)) return false;
    return true;
  };
}

/** A random string over the toy's symbols, of length lo..hi. */
function randomString(toy: ToyOracle, r: () => number, lo: number, hi: number): string {
  const n = lo + Math.floor(r() * (hi - lo + 1));
  return Array.from({ length: n }, () => toy.spec.symbols[Math.floor(r() * toy.spec.symbols.length)]).join('');
}

/** Random walks on a toy: heads at stable anchors, short tails, the oracle (or another model) over its tokenizer. */
async function toyWalks(toy: ToyOracle, model: TokenModel | undefined, seed: number, count: number, options?: ExactOptions): Promise<void> {
  const r = rng(seed);
  const stable = anchors(toy);
  for (let done = 0, tries = 0; done < count && tries < count * 20; tries++) {
    const h = r() < 0.3 ? '' : randomString(toy, r, 1, 3);
    const x = randomString(toy, r, 0, 3);
    if (h.length + x.length > toy.spec.nmax || !(toy.prefixProb(h + x) > 0) || !stable(h, x)) continue;
    done++;
    const oracle = !model;
    await walk({
      model: model ?? toy,
      tokenizer: toy,
      head: Uint32Array.from(toy.encode(h)),
      tail: bytes(x),
      options,
      truth: oracle ? (y) => toy.truth(h + text(y)) : undefined,
      r,
      blind: 0.25,
    });
  }
}

describe('incremental exact next byte (fim-exact §2.4)', function () {
  this.timeout(60_000);
  const oracle = new ToyOracle(TOY);

  after(() => {
    if (process.env.FIM_EXACT_COST) console.log(`incremental: ${worst.walks} walks, ${worst.steps} distributions, ${worst.pushes} pushes; max abs error vs batch ${worst.batch}, vs truth ${worst.truth}; covers' log probabilities ${worst.covers}`);
  });

  it('§6.3: aabcabca, cabbacab, abcabcab, aaaaaaaa, bcbcaabc byte by byte: the truth to 1e-12, one model call per byte', async () => {
    let max = 0;
    for (const s of ['aabcabca', 'cabbacab', 'abcabcab', 'aaaaaaaa', 'bcbcaabc']) {
      const model = counting(oracle);
      const state = await IncrementalByteState.create(model, oracle, NO_HEAD, new Uint8Array(0));
      assert.equal(model.calls, 0, 'an empty tail needs no call to start');
      for (let i = 0; i <= s.length; i++) {
        const d = await state.nextByteDistribution();
        max = Math.max(max, maxAbsDiff(d, oracle.truth(s.slice(0, i))));
        if (i < s.length) await state.push(s.charCodeAt(i));
      }
      assert.equal(model.calls, s.length + 1, `${s}: one call per distribution`);
      assert.deepEqual(Array.from(state.encoding ?? []), oracle.encode(s));
    }
    if (process.env.FIM_EXACT_COST) console.log(`§6.3 strings: max abs error ${max}`);
    assert.ok(max <= EXACT, `max abs error ${max}`);
  });

  it('random walks on the toy (300, heads at stable anchors): batch, truth and covers at every byte', async () => {
    await toyWalks(oracle, undefined, 11, 300);
  });

  describe('random chains and merges (property tests)', () => {
    for (let seed = 1; seed <= 40; seed += 8) {
      it(`seeds ${seed}–${seed + 7}: 10 walks each, heads at stable anchors, against batch and truth`, async () => {
        for (let s = seed; s < seed + 8; s++) await toyWalks(new ToyOracle(randomChain(s)), undefined, s * 97, 10);
      });
    }
  });

  describe('random token models over the toy tokenizers (the mask at work)', () => {
    for (const renormalize of [false, true]) {
      it(`renormalize ${renormalize}: 20 chains × 6 walks, incremental = batch at every byte`, async () => {
        for (let s = 0; s < 20; s++) {
          const toy = s === 0 ? oracle : new ToyOracle(randomChain(100 + s));
          await toyWalks(toy, randomModel(toy.vocabSize, toy.eosId, s + 1), 500 + s, 6, renormalize ? { renormalize } : undefined);
        }
      });
    }

    it('the leaky LM (§6.2): equal to the batch mask, and to the truth with renormalization', async () => {
      const leaky = leakyModel(oracle, 0.05);
      const r = rng(3);
      for (let k = 0; k < 10; k++) {
        const tail = bytes(randomString(oracle, r, 0, 3));
        await walk({ model: leaky, tokenizer: oracle, head: NO_HEAD, tail, r, blind: 0.3 });
        await walk({ model: leaky, tokenizer: oracle, head: NO_HEAD, tail, r, blind: 0.3, options: { renormalize: true }, truth: (y) => oracle.truth(text(y)) });
      }
    });
  });

  it('a byte of probability 0 throws and leaves the state as it was; end of text cannot be pushed', async () => {
    const model = counting(oracle);
    const state = await IncrementalByteState.create(model, oracle, NO_HEAD, bytes('ab'));
    await assert.rejects(state.push(0x78), /byte 0x78 has probability 0 after the text so far/);
    assert.deepEqual(state.bytes, bytes('ab'));
    const calls = model.calls;
    const d = await state.nextByteDistribution();
    assert.equal(model.calls, calls, 'the query made by the failed push is kept');
    assert.ok(maxAbsDiff(d, oracle.truth('ab')) <= EXACT);
    await assert.rejects(state.push(0x64), /byte 0x64 has probability 0/);
    await assert.rejects(state.push(END_OF_TEXT), /end of text cannot be pushed/);
    for (const bad of [-1, 257, 1.5, NaN]) await assert.rejects(state.push(bad), RangeError);
    await state.push(0x63);
    assert.ok(maxAbsDiff(await state.nextByteDistribution(), oracle.truth('abc')) <= EXACT);
    // At the length cap the text must end: every byte has probability 0, end of text 1.
    const full = await IncrementalByteState.create(oracle, oracle, NO_HEAD, bytes('abcabcab'));
    await full.push(0x61);
    const last = await full.nextByteDistribution();
    assert.equal(last[END], 1);
    assert.equal(last.reduce((a, b) => a + b, 0), 1);
    await assert.rejects(full.push(0x61), /probability 0/);
  });

  it('a tail with probability 0 is rejected when the state is created', async () => {
    await assert.rejects(IncrementalByteState.create(oracle, oracle, NO_HEAD, bytes('abcabcabca')), /probability 0/);
    await assert.rejects(IncrementalByteState.create(oracle, oracle, NO_HEAD, bytes('ax')), /probability 0/);
  });

  it('the state does not share its arrays with the caller', async () => {
    const tail = bytes('aa');
    const state = await IncrementalByteState.create(oracle, oracle, NO_HEAD, tail);
    tail[0] = 0x63;
    const d = await state.nextByteDistribution();
    d.fill(0);
    state.covers()[0].tokens.fill(7);
    state.bytes.fill(0);
    assert.deepEqual(state.bytes, bytes('aa'));
    assert.ok(maxAbsDiff(await state.nextByteDistribution(), oracle.truth('aa')) <= EXACT);
    assertSameCovers(state.covers(), await coverEncodings(oracle, oracle, NO_HEAD, bytes('aa')), 'aa');
  });

  it('an aborted signal stops before the model call; one operation at a time', async () => {
    const state = await IncrementalByteState.create(oracle, oracle, NO_HEAD, bytes('a'));
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    await assert.rejects(state.nextByteDistribution(controller.signal), /cancelled/);
    await assert.rejects(state.push(0x61, controller.signal), /cancelled/);
    const pending = state.nextByteDistribution();
    await assert.rejects(state.push(0x61), /one operation at a time/);
    await pending;
    await state.push(0x61);
    assert.ok(maxAbsDiff(await state.nextByteDistribution(), oracle.truth('aa')) <= EXACT);
  });

  it('where prefix-canonicity fails, T takes its probability from its own path, as in the batch algorithm', async () => {
    // Greedy longest match over {a, b, aa, ab, ba}, except that a final "aa" is split: encode("aa") = [a, a]
    // but encode("aab") = [aa, b], so [aa] is no valid prefix of the valid [aa, b].
    const vocab = ['a', 'b', 'aa', 'ab', 'ba', ''];
    const ids = new Map(vocab.map((t, i) => [t, i]));
    const tokenizer: ByteTokenizer = {
      vocabSize: vocab.length,
      tokenBytes: (id) => bytes(vocab[id]),
      encodeBytes(b) {
        const s = text(b);
        if (!/^[ab]*$/.test(s)) return new Uint32Array(0);
        const out: number[] = [];
        for (let i = 0; i < s.length; ) {
          const two = s.slice(i, i + 2);
          const t = two.length === 2 && ids.has(two) && !(two === 'aa' && i + 2 === s.length) ? two : s[i];
          out.push(ids.get(t) as number);
          i += t.length;
        }
        return Uint32Array.from(out);
      },
    };
    const r = rng(5);
    for (let seed = 1; seed <= 40; seed++) {
      const model = randomModel(vocab.length, vocab.length - 1, seed);
      const tail = bytes(['', 'a', 'aa', 'aab', 'ba'][seed % 5]);
      await walk({ model, tokenizer, head: NO_HEAD, tail, r, blind: 0.3, maxPushes: 8, oneCall: false, options: seed % 2 ? { renormalize: true } : undefined });
    }
    // "aab": no cover at all, yet T = [aa, b] carries the whole distribution, from its own path (2 calls + 1).
    const model = counting(randomModel(vocab.length, vocab.length - 1, 2));
    assert.equal((await coverEncodings(model, tokenizer, NO_HEAD, bytes('aab'))).length, 0);
    const state = await IncrementalByteState.create(model, tokenizer, NO_HEAD, bytes('aa'));
    await state.push(0x62);
    const calls = model.calls;
    const d = await state.nextByteDistribution();
    assert.equal(model.calls - calls, 3);
    assert.equal(state.covers().length, 0);
    assert.ok(maxAbsDiff(d, await exactNextByteDistribution(model, tokenizer, NO_HEAD, bytes('aab'))) <= EXACT);
  });
});
