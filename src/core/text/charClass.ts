/**
 * Character classes for the pre-tokenizer scanners, with the semantics of Rust's `regex` crate that
 * tiktoken and Hugging Face `tokenizers` use: `\s` is Unicode White_Space (U+0085 yes, U+FEFF no), and a
 * lone surrogate behaves like U+FFFD, the character it becomes when the text is encoded to UTF-8.
 */

export const enum CharClass {
  /** `\r` or `\n`. */
  Newline = 0,
  /** Any other White_Space character. */
  Space = 1,
  /** Lu and Lt. */
  Upper = 2,
  /** Ll. */
  Lower = 3,
  /** Lm and Lo: letters without case. */
  Caseless = 4,
  /** Mn, Mc, Me. */
  Mark = 5,
  /** Nd, Nl, No. */
  Number = 6,
  /** Everything else: punctuation, symbols, controls, unassigned, lone surrogates. */
  Other = 7,
}

let bmp: Uint8Array | undefined;
const astral = new Map<number, CharClass>();

const WHITE_SPACE = /[\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/u;
const CLASS_PATTERNS: [CharClass, RegExp][] = [
  [CharClass.Upper, /[\p{Lu}\p{Lt}]/u],
  [CharClass.Lower, /\p{Ll}/u],
  [CharClass.Caseless, /[\p{Lm}\p{Lo}]/u],
  [CharClass.Mark, /\p{M}/u],
  [CharClass.Number, /\p{N}/u],
];

function classifySlow(ch: string): CharClass {
  if (ch === '\r' || ch === '\n') return CharClass.Newline;
  if (WHITE_SPACE.test(ch)) return CharClass.Space;
  for (const [cls, re] of CLASS_PATTERNS) if (re.test(ch)) return cls;
  return CharClass.Other;
}

/** The class of every BMP code unit, built once (about 10 ms) by matching each class over all of them. */
export function bmpClasses(): Uint8Array {
  if (bmp) return bmp;
  const table = new Uint8Array(0x10000).fill(CharClass.Other);
  const all: string[] = [];
  for (let c = 0; c < 0x10000; c++) all.push(c >= 0xd800 && c < 0xe000 ? '\ufffd' : String.fromCharCode(c));
  const text = all.join('');
  for (const [cls, re] of [...CLASS_PATTERNS].reverse()) {
    const global = new RegExp(re.source, 'gu');
    for (const m of text.matchAll(global)) table[m.index] = cls;
  }
  for (const m of text.matchAll(new RegExp(WHITE_SPACE.source, 'gu'))) table[m.index] = CharClass.Space;
  table[10] = table[13] = CharClass.Newline;
  // Lone surrogates are encoded as U+FFFD (a symbol).
  table.fill(CharClass.Other, 0xd800, 0xe000);
  bmp = table;
  return table;
}

/** The class of a supplementary-plane code point, cached. */
export function astralClass(codePoint: number): CharClass {
  let cls = astral.get(codePoint);
  if (cls === undefined) {
    cls = classifySlow(String.fromCodePoint(codePoint));
    astral.set(codePoint, cls);
  }
  return cls;
}
