/**
 * llama.cpp's SentencePiece tokenizer (`tokenizer.ggml.model = llama`), step for step: special-token
 * partitioning, a space prefix at the start and after each special token, spaces as ▁, then repeated
 * merging of the adjacent pair whose joined piece has the highest score (leftmost on ties), and byte
 * fallback (`<0xNN>`) for characters no piece covers.
 */
import { ggufTokenBytes, GgufTokenType, type GgufVocab } from '../../gguf/vocab';
import type { EncodeOptions, TokenSpans, Tokenizer, TokenizerInfo } from '../types';
import { utf8 } from '../../text/utf8';
import { pieceBytes } from '../pieceBytes';

const SPACE = '\u2581';

/** One character of the escaped text and the source range it came from. */
interface Char {
  text: string;
  start: number;
  end: number;
  /** UTF-8 length: above 1, a byte-fallback token holds part of it. */
  bytes: number;
}

interface Symbol {
  /** First character and character count. */
  at: number;
  n: number;
  /** Text length, to tell a stale pair from a live one as llama.cpp does. */
  len: number;
  prev: number;
  next: number;
}

interface Bigram {
  left: number;
  right: number;
  score: number;
  len: number;
}

/** Max-heap on score, then the leftmost pair. */
class BigramQueue {
  private items: Bigram[] = [];
  get size(): number {
    return this.items.length;
  }
  private before(a: Bigram, b: Bigram): boolean {
    return a.score > b.score || (a.score === b.score && a.left < b.left);
  }
  push(b: Bigram): void {
    const h = this.items;
    h.push(b);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }
  pop(): Bigram {
    const h = this.items;
    const top = h[0];
    const last = h.pop() as Bigram;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.before(h[l], h[m])) m = l;
        if (r < h.length && this.before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

interface Emit {
  id: number;
  start: number;
  end: number;
  partial: boolean;
}

export class SpmTokenizer implements Tokenizer {
  readonly id: string;
  readonly name: string;
  readonly family: string;
  readonly exact: boolean;
  readonly vocabSize: number;
  private readonly byText = new Map<string, number>();
  private readonly scores: ArrayLike<number>;
  private readonly bytesOf: Uint8Array[];
  private readonly byteIds: number[] = [];
  /** Matched only when asked (control, unknown), and always (user-defined): longest first, as llama.cpp. */
  private readonly specials: { text: string; id: number; always: boolean }[] = [];
  private readonly specialById = new Map<number, string>();
  private readonly addSpacePrefix: boolean;

  constructor(vocab: GgufVocab, info: Omit<TokenizerInfo, 'vocabSize'>) {
    this.id = info.id;
    this.name = info.name;
    this.family = info.family;
    this.exact = info.exact;
    this.vocabSize = vocab.tokens.length;
    this.scores = vocab.scores ?? new Float32Array(vocab.tokens.length);
    this.addSpacePrefix = vocab.addSpacePrefix;
    // The last of duplicate texts wins, as in llama.cpp's text-to-id map.
    vocab.tokens.forEach((t, i) => this.byText.set(t, i));
    this.bytesOf = ggufTokenBytes(vocab);
    for (let b = 0; b < 256; b++) {
      const hex = `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;
      this.byteIds.push(this.byText.get(hex) ?? this.byText.get(String.fromCharCode(b)) ?? vocab.unkId ?? 0);
    }
    vocab.tokens.forEach((text, id) => {
      const type = vocab.types[id];
      const special = type === GgufTokenType.CONTROL || type === GgufTokenType.UNKNOWN;
      if (special) this.specialById.set(id, text);
      if ((special || type === GgufTokenType.USER_DEFINED) && text.length > 0) this.specials.push({ text, id, always: !special });
    });
    this.specials.sort((a, b) => utf8(b.text).length - utf8(a.text).length || a.id - b.id);
  }

  encode(text: string, options?: EncodeOptions): Uint32Array {
    return Uint32Array.from(this.run(text, options), (e) => e.id);
  }

  count(text: string, options?: EncodeOptions): number {
    return this.run(text, options).length;
  }

  tokenize(text: string, options?: EncodeOptions): TokenSpans {
    const emits = this.run(text, options);
    const n = emits.length;
    const spans: TokenSpans = { ids: new Uint32Array(n), starts: new Uint32Array(n), ends: new Uint32Array(n), partial: new Uint8Array(n) };
    emits.forEach((e, i) => {
      spans.ids[i] = e.id;
      spans.starts[i] = e.start;
      spans.ends[i] = e.end;
      spans.partial[i] = e.partial ? 1 : 0;
    });
    return spans;
  }

  decodeBytes(ids: ArrayLike<number>): Uint8Array {
    const bytes = pieceBytes(this, ids);
    // The dummy space encoding put before the text is not the text's: llama.cpp and Hugging Face drop it.
    return this.addSpacePrefix && bytes[0] === 0x20 && this.tokenBytes(ids[0])?.[0] === 0x20 ? bytes.subarray(1) : bytes;
  }

  tokenBytes(id: number): Uint8Array | undefined {
    const special = this.specialById.get(id);
    if (special !== undefined) return utf8(special);
    return id >= 0 && id < this.vocabSize ? this.bytesOf[id] : undefined;
  }

  specialToken(id: number): string | undefined {
    return this.specialById.get(id);
  }

  private run(text: string, options?: EncodeOptions): Emit[] {
    const out: Emit[] = [];
    if (text.length === 0) return out;
    let prevSpecial = true;
    for (const f of this.partition(text, options?.parseSpecialTokens === true)) {
      if (f.id !== undefined) {
        out.push({ id: f.id, start: f.start, end: f.end, partial: false });
        prevSpecial = true;
      } else {
        this.encodeFragment(text, f.start, f.end, this.addSpacePrefix && prevSpecial, out);
        prevSpecial = false;
      }
    }
    return out;
  }

  /** Splits text at special tokens, one token text at a time from the longest, as llama.cpp does. */
  private partition(text: string, parseSpecial: boolean): { start: number; end: number; id?: number }[] {
    let fragments: { start: number; end: number; id?: number }[] = [{ start: 0, end: text.length }];
    for (const s of this.specials) {
      if (!s.always && !parseSpecial) continue;
      const next: typeof fragments = [];
      for (const f of fragments) {
        if (f.id !== undefined) {
          next.push(f);
          continue;
        }
        let at = f.start;
        for (;;) {
          const hit = text.indexOf(s.text, at);
          if (hit < 0 || hit + s.text.length > f.end) break;
          if (hit > at) next.push({ start: at, end: hit });
          next.push({ start: hit, end: hit + s.text.length, id: s.id });
          at = hit + s.text.length;
        }
        if (at < f.end) next.push({ start: at, end: f.end });
      }
      fragments = next;
    }
    return fragments;
  }

  private encodeFragment(text: string, start: number, end: number, spacePrefix: boolean, out: Emit[]): void {
    const chars: Char[] = [];
    if (spacePrefix) chars.push({ text: SPACE, start, end: start, bytes: 3 });
    for (let i = start; i < end; ) {
      const c = text.codePointAt(i) as number;
      const lone = c >= 0xd800 && c < 0xe000;
      const w = c > 0xffff ? 2 : 1;
      // A lone surrogate reaches the engine as U+FFFD.
      const ch = c === 0x20 ? SPACE : lone ? '\ufffd' : String.fromCodePoint(c);
      chars.push({ text: ch, start: i, end: i + w, bytes: c === 0x20 ? 3 : lone ? 3 : c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4 });
      i += w;
    }
    const symbols: Symbol[] = chars.map((ch, i) => ({ at: i, n: 1, len: ch.text.length, prev: i - 1, next: i + 1 < chars.length ? i + 1 : -1 }));
    const piece = (s: Symbol) => {
      let t = '';
      for (let k = s.at; k < s.at + s.n; k++) t += chars[k].text;
      return t;
    };
    const queue = new BigramQueue();
    const tryAdd = (left: number, right: number) => {
      if (left < 0 || right < 0) return;
      const id = this.byText.get(piece(symbols[left]) + piece(symbols[right]));
      if (id === undefined) return;
      queue.push({ left, right, score: this.scores[id], len: symbols[left].len + symbols[right].len });
    };
    for (let i = 1; i < symbols.length; i++) tryAdd(i - 1, i);
    while (queue.size > 0) {
      const b = queue.pop();
      const l = symbols[b.left];
      const r = symbols[b.right];
      if (l.len === 0 || r.len === 0 || l.len + r.len !== b.len) continue;
      l.n += r.n;
      l.len += r.len;
      r.len = 0;
      l.next = r.next;
      if (r.next >= 0) symbols[r.next].prev = b.left;
      tryAdd(l.prev, b.left);
      tryAdd(b.left, l.next);
    }
    for (let i = symbols.length > 0 ? 0 : -1; i !== -1; i = symbols[i].next) {
      const s = symbols[i];
      const id = this.byText.get(piece(s));
      if (id !== undefined) {
        out.push({ id, start: chars[s.at].start, end: chars[s.at + s.n - 1].end, partial: false });
        continue;
      }
      // Only single characters can miss the vocabulary: merged pieces are tokens by construction.
      for (let k = s.at; k < s.at + s.n; k++) {
        const ch = chars[k];
        for (const byte of utf8(ch.text)) out.push({ id: this.byteIds[byte], start: ch.start, end: ch.end, partial: ch.bytes > 1 });
      }
    }
  }
}
