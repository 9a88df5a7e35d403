/**
 * Pre-tokenizers given as regular expressions (Hugging Face `Split` with the `Isolated` behaviour, or a
 * tiktoken `pat_str` we have no hand-written scanner for), translated from Rust's dialect to V8's.
 */
import type { Scanner } from './scanners';

/** Rust's `\s` (Unicode White_Space), which differs from JavaScript's at U+0085 and U+FEFF. */
const WS_CLASS_BODY = '\\t\\n\\v\\f\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const NOT_WS_CLASS_BODY = '\\0-\\x08\\x0e-\\x1f!-\\x84\\x86-\\x9f\\xa1-\\u167f\\u1681-\\u1fff\\u200b-\\u2027\\u202a-\\u202e\\u2030-\\u205e\\u2060-\\u2fff\\u3001-\\u{10ffff}';

/** Expands `(?i:...)` over plain text into explicit case alternatives, which V8 before 12.5 lacks. */
function expandCaseInsensitive(body: string): string {
  let out = '';
  for (const ch of body) {
    const lo = ch.toLowerCase();
    const up = ch.toUpperCase();
    out += lo !== up && lo.length === 1 && up.length === 1 ? `[${lo}${up}]` : ch;
  }
  return out;
}

/** Translates a pattern written for Rust's `regex`/`fancy-regex`/Oniguruma into a V8 `u` regular expression. */
export function translatePattern(source: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === '\\') {
      const next = source[i + 1];
      if (next === 's') out += inClass ? WS_CLASS_BODY : `[${WS_CLASS_BODY}]`;
      else if (next === 'S') {
        if (inClass) throw new Error('\\S inside a character class is not supported');
        out += `[${NOT_WS_CLASS_BODY}]`;
      } else out += ch + next;
      i++;
      continue;
    }
    if (!inClass && source.startsWith('(?i:', i)) {
      const close = source.indexOf(')', i);
      const body = source.slice(i + 4, close);
      if (/[\\[\]()?*+{}]/.test(body)) throw new Error(`unsupported case-insensitive group: ${body}`);
      out += `(?:${expandCaseInsensitive(body)})`;
      i = close;
      continue;
    }
    if (ch === '[' && !inClass) inClass = true;
    else if (ch === ']' && inClass) inClass = false;
    out += ch;
  }
  return out;
}

/**
 * Whose reading of the pattern: Rust's `regex` (Hugging Face, tiktoken), or llama.cpp's, which matches
 * `\p{Lu}`, `\p{Ll}`, `\p{Lt}`, `\p{Lm}` and `\p{Lo}` as any letter and sees every non-ASCII space as U+000B.
 */
export type RegexDialect = 'rust' | 'llama.cpp';

const LETTER_SUBCLASS = /\\p\{L[ultmo]\}/g;
// Rust's White_Space above ASCII (llama.cpp's list is the same).
const WIDE_SPACE = /[\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/g;

/**
 * A scanner that splits like Hugging Face `Split(pattern, Isolated)`: each match is a piece, and so is
 * each stretch of text between matches.
 */
export function regexScanner(pattern: string, dialect: RegexDialect = 'rust'): Scanner {
  const llamaCpp = dialect === 'llama.cpp';
  const re = new RegExp(translatePattern(llamaCpp ? pattern.replace(LETTER_SUBCLASS, '\\p{L}') : pattern), 'gu');
  let lastText: string | undefined;
  let lastEnd = -1;
  let subject = '';
  return (text, i, end) => {
    // A lone surrogate must match as U+FFFD, the character it becomes in UTF-8, and a regular
    // expression cannot be told where to stop: prepare the subject once per text.
    if (text !== lastText || end !== lastEnd) {
      lastText = text;
      lastEnd = end;
      subject = end === text.length ? text : text.slice(0, end);
      if (!subject.isWellFormed()) subject = subject.toWellFormed();
      // One unit for one: offsets stay those of the text.
      if (llamaCpp) subject = subject.replace(WIDE_SPACE, '\v');
    }
    re.lastIndex = i;
    for (;;) {
      const m = re.exec(subject);
      if (!m) return end;
      if (m[0].length === 0) {
        re.lastIndex = m.index + 1;
        continue;
      }
      return m.index > i ? m.index : m.index + m[0].length;
    }
  };
}

/**
 * Several `Split` steps in a row, as DeepSeek V3 uses: each piece of one step is split again by the
 * next, on its own, as Hugging Face does. The scanner remembers the enclosing pieces of the previous
 * call, so calls must go forward through one text, as the encoder makes them.
 */
export function sequenceScanner(steps: Scanner[]): Scanner {
  const starts = new Array<number>(steps.length).fill(-1);
  const ends = new Array<number>(steps.length).fill(-1);
  const texts = new Array<string>(steps.length).fill('');
  let lastText: string | undefined;
  return (text, i, end) => {
    if (text !== lastText) {
      lastText = text;
      ends.fill(-1);
    }
    let parent = text;
    let base = 0;
    let limit = end;
    for (let level = 0; level < steps.length; level++) {
      if (!(starts[level] <= i && i < ends[level] && ends[level] <= limit)) {
        starts[level] = i;
        ends[level] = base + steps[level](parent, i - base, limit - base);
        texts[level] = level + 1 < steps.length ? text.slice(i, ends[level]) : '';
      }
      parent = texts[level];
      base = starts[level];
      limit = ends[level];
    }
    return limit;
  };
}
