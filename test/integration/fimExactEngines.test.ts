/**
 * The exact next-byte distribution on real engines (the embedded node-llama-cpp engine, and llama-server
 * when its binary is built) with the bigram GGUF models, against a brute force from the known table:
 * every token sequence whose bytes cover the tail, canonical by the fixture's own encoder, weighed by the
 * table. Tails end mid-token and mid-UTF-8-character.
 */
import assert from 'node:assert/strict';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EmbeddedBackend } from '../../src/core/backends/embedded';
import { readGguf } from '../../src/core/gguf/reader';
import { ggufVocab } from '../../src/core/gguf/vocab';
import { LlamaServerBackend } from '../../src/core/backends/llamaServer';
import type { ConnectResult, ModelBackend } from '../../src/core/backends/types';
import { byteTokenizerFromInfo, encodeBytesWith, exactNextByteDistribution, tokenModelFromBackend } from '../../src/core/fim/exact';
import type { ByteTokenizer, TokenModel } from '../../src/core/fim/exact/types';
import { tokenizerFromGguf } from '../../src/core/tokenizers/gguf/ggufTokenizer';
import { ensureEngine } from '../../scripts/install-engine';
import { freePort, LLAMA_SERVER, startLlamaServer } from '../fixtures/llamaServer';
import { modelCache, writeTinyModel, type TinyModel } from '../fixtures/gguf';
import { bpeVocabulary, spmVocabulary } from '../fixtures/gguf/vocabularies';

const ROOT = resolve(__dirname, '..', '..');
const ENGINE = join(ROOT, 'dist', 'engine.js');
const TOLERANCE = 1e-5;
const END = 256;

const utf8 = (s: string) => new TextEncoder().encode(s);
const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
const same = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.from(a).every((v, i) => v === b[i]);

/** The fixture side of the check: the table, token bytes from the generator's sidecar, its own encoder. */
interface Reference {
  table: Float64Array[];
  bytes: (Uint8Array | undefined)[];
  bosId: number;
  ends: number[];
  canonical(bytes: Uint8Array): number[] | undefined;
}

function reference(model: TinyModel, ends: number[]): Reference {
  const spm = model.kind.endsWith('spm');
  const sidecar = JSON.parse(readFileSync(`${model.path}.json`, 'utf8')) as { token_bytes_hex: (string | null)[] };
  const bytes = sidecar.token_bytes_hex.map((h) => (h ? Uint8Array.from(Buffer.from(h, 'hex')) : undefined));
  // The fixture vocabularies never merge a non-ASCII byte, so a cut character can be completed by any byte.
  for (const b of bytes) if (b && b.length > 1) assert.ok(b.every((x) => x < 0x80), 'a merged token with a non-ASCII byte');
  const encode = (spm ? spmVocabulary() : bpeVocabulary()).encode;
  const encodeText = (text: string) => (spm ? (text.startsWith(' ') ? encode(text.slice(1)) : undefined) : encode(text));
  const canonical = (b: Uint8Array): number[] | undefined => {
    if (b.length === 0) return [];
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    try {
      return encodeText(text.decode(b));
    } catch {
      // Ends inside a character: complete it with the smallest bytes and cut at the end.
      for (let extra = 1; extra <= 3; extra++) {
        for (const second of [0x80, 0x90, 0xa0]) {
          const padded = cat(b, Uint8Array.of(second), new Uint8Array(extra - 1).fill(0x80));
          let full: string;
          try {
            full = text.decode(padded);
          } catch {
            continue;
          }
          const ids = encodeText(full);
          if (!ids) return undefined;
          let at = 0;
          for (let k = 0; k < ids.length; k++) {
            at += bytes[ids[k]]!.length;
            if (at === b.length) return ids.slice(0, k + 1);
            if (at > b.length) return undefined;
          }
        }
      }
      return undefined;
    }
  };
  return { table: model.table!, bytes, bosId: model.bosId, ends, canonical };
}

/** P(next byte | head, tail) by enumerating every canonical token sequence over the tail (fim-exact §1.5–1.7). */
function bruteForce(ref: Reference, head: Uint32Array, tail: Uint8Array): Float64Array {
  const score = new Float64Array(257);
  const n = tail.length;
  const decode = (ids: number[]) => cat(...ids.map((id) => ref.bytes[id]!));
  const valid = (ids: number[]) => {
    const enc = ref.canonical(decode(ids));
    return enc !== undefined && same(enc, ids);
  };
  const start = head.length ? head[head.length - 1] : ref.bosId;
  const walk = (ids: number[], pos: number, prev: number, p: number) => {
    ref.bytes.forEach((b, t) => {
      if (!b || b.length === 0) return;
      const q = p * ref.table[prev][t];
      if (pos + b.length < n) {
        if (same(b, tail.subarray(pos, pos + b.length))) walk([...ids, t], pos + b.length, t, q);
      } else if (same(b.subarray(0, n - pos), tail.subarray(pos)) && b.length > n - pos && valid([...ids, t])) {
        score[b[n - pos]] += q;
      } else if (b.length === n - pos && same(b, tail.subarray(pos)) && valid([...ids, t])) {
        // The exact-end cover T: the next byte comes from the tokens after it.
        ref.bytes.forEach((c, u) => {
          if (c && c.length > 0 && valid([...ids, t, u])) score[c[0]] += q * ref.table[t][u];
        });
        for (const e of ref.ends) score[END] += q * ref.table[t][e];
      }
    });
  };
  if (n > 0) walk([], 0, start, 1);
  else {
    ref.bytes.forEach((c, u) => {
      if (c && c.length > 0 && valid([u])) score[c[0]] += ref.table[start][u];
    });
    for (const e of ref.ends) score[END] += ref.table[start][e];
  }
  const total = score.reduce((a, b) => a + b, 0);
  return score.map((v) => v / total);
}

/** Counts calls and contexts, for the cost report. */
function counting(model: TokenModel): TokenModel & { calls: number; contexts: number } {
  const counted = {
    eosId: model.eosId,
    calls: 0,
    contexts: 0,
    nextTokenProbs(contexts: Uint32Array[], signal?: AbortSignal) {
      counted.calls++;
      counted.contexts += contexts.length;
      return model.nextTokenProbs(contexts, signal);
    },
  };
  return counted;
}

const BPE_TAILS = ['retu', 'self.con', ' pri', 'x = 1', 'caf\xC3', ' r\xC3', 'n\xE6\x97', 'return', ''];
const SPM_TAILS = [' retu', ' self.con', ' pri', ' x = 1', ' caf\xC3', ' r\xC3', ' n\xE6\x97', ' return'];

/** Tail strings with `\xNN` escapes as raw bytes (so a tail can stop inside a character). */
const tailBytes = (s: string) => cat(...Array.from(s, (c) => (c.charCodeAt(0) >= 0x80 ? Uint8Array.of(c.charCodeAt(0)) : utf8(c))));

function checkAll(name: () => { model: TinyModel; backend: ModelBackend; connected: ConnectResult }, flavour: 'bpe' | 'spm'): void {
  it('exactNextByteDistribution equals the brute force from the bigram table (1e-5), for several heads and tails', async () => {
    const { model, backend, connected } = name();
    const { info } = connected;
    const ref = reference(model, [info.eosId!, ...info.endIds.filter((e) => e !== info.eosId)]);
    const vocab = ggufVocab(readGguf(readFileSync(model.path)));
    const tokenizer: ByteTokenizer = byteTokenizerFromInfo(info, encodeBytesWith(tokenizerFromGguf(vocab), { spacePrefix: flavour === 'spm' }));
    const tm = counting(tokenModelFromBackend(backend, connected));
    const encode = (flavour === 'spm' ? spmVocabulary() : bpeVocabulary()).encode;
    const heads = [new Uint32Array(0), Uint32Array.of(model.bosId), Uint32Array.of(model.fim.prefix, ...encode('import os\n'))];
    const tails = flavour === 'spm' ? SPM_TAILS : BPE_TAILS;
    let queries = 0;
    for (const head of heads) {
      for (const t of tails) {
        const tail = tailBytes(t);
        const got = await exactNextByteDistribution(tm, tokenizer, head, tail);
        const want = bruteForce(ref, head, tail);
        queries++;
        for (let b = 0; b < 257; b++) {
          if (Math.abs(got[b] - want[b]) > TOLERANCE) assert.fail(`head [${head}] tail ${JSON.stringify(t)}: P(${b === END ? 'end' : b}) = ${got[b]}, brute force ${want[b]}`);
        }
        assert.ok(Math.abs(got.reduce((a, v) => a + v, 0) - 1) < 1e-9);
      }
    }
    // Batched by trie depth: a handful of calls per query.
    if (process.env.FIM_EXACT_COST) console.log(`${flavour}: ${tm.calls} calls, ${tm.contexts} contexts for ${queries} queries`);
    assert.ok(tm.calls <= queries * 12, `${tm.calls} calls, ${tm.contexts} contexts for ${queries} queries`);
  });
}

describe('exact next byte on real engines (bigram GGUF models)', function () {
  this.timeout(300_000);
  let installDir = '';
  const toDispose: { dispose(): void }[] = [];
  before(async () => {
    if (!existsSync(ENGINE)) execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
    installDir = await ensureEngine();
  });
  after(() => toDispose.forEach((d) => d.dispose()));

  for (const flavour of ['bpe', 'spm'] as const) {
    describe(`embedded engine, bigram ${flavour.toUpperCase()}`, () => {
      let ctx: { model: TinyModel; backend: ModelBackend; connected: ConnectResult };
      before(async () => {
        const model = writeTinyModel(`bigram-${flavour}`, join(modelCache(), `fim-exact-bigram-${flavour}.gguf`));
        const backend = new EmbeddedBackend({ enginePath: ENGINE, installDir, modelPath: model.path, threads: 1 });
        toDispose.push(backend);
        ctx = { model, backend, connected: await backend.connect() };
      });
      checkAll(() => ctx, flavour);

      it('a top-k-only backend, or unknown token bytes, are refused with a clear error', () => {
        const connected = { ...ctx.connected, capabilities: { ...ctx.connected.capabilities, distributions: 'top-k' as const } };
        assert.throws(() => tokenModelFromBackend(ctx.backend, connected), /need full next-token distributions.*only the top k/);
        const unknown = { ...ctx.connected.info, tokenBytes: (id: number) => (id === 7 ? undefined : ctx.connected.info.tokenBytes!(id)) };
        assert.throws(() => byteTokenizerFromInfo(unknown, () => new Uint32Array(0)), /those of id 7 are not known/);
      });
    });
  }

  (existsSync(LLAMA_SERVER) ? describe : describe.skip)('llama-server', () => {
    for (const flavour of ['bpe', 'spm'] as const) {
      describe(`bigram ${flavour.toUpperCase()}`, () => {
        let ctx: { model: TinyModel; backend: ModelBackend; connected: ConnectResult };
        let child: ChildProcess | undefined;
        before(async () => {
          const model = writeTinyModel(`bigram-${flavour}`, join(modelCache(), `fim-exact-server-bigram-${flavour}.gguf`));
          const port = await freePort();
          child = await startLlamaServer(model.path, port);
          const backend = new LlamaServerBackend({ url: `http://127.0.0.1:${port}`, timeoutMs: 10_000 });
          toDispose.push(backend);
          const connected = await backend.connect();
          await backend.loadTokenBytes();
          ctx = { model, backend, connected };
        });
        after(async () => {
          if (!child || child.exitCode !== null || child.signalCode !== null) return;
          const exited = new Promise((r) => child!.once('exit', r));
          child.kill('SIGKILL');
          await exited;
        });
        checkAll(() => ctx, flavour);
      });
    }
  });
});


