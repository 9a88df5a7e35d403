/**
 * Constraints that force generation to start with the tail (fim-exact §4.8): a GBNF grammar for the llama.cpp
 * engines and a regex for OpenAI-compatible servers (vLLM `structured_outputs`). One constrained generation
 * then heals the boundary, instead of one distribution request per healing step.
 */
import type { BackendCapabilities } from '../backends/types';

export type HealConstraint = { via: 'grammar'; grammar: string } | { via: 'regex'; regex: string };

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The tail as text, or undefined when it is not whole UTF-8 (it ends inside a character). */
function tailText(tail: Uint8Array): string | undefined {
  try {
    return strict.decode(tail);
  } catch {
    return undefined;
  }
}

const hex = (c: number, width: number) => c.toString(16).toUpperCase().padStart(width, '0');

/**
 * A GBNF string literal (llama.cpp `parse_char`): quotes and backslashes escaped, control characters and
 * everything outside ASCII as code point escapes, so the grammar is plain ASCII whatever the tail holds.
 */
export function gbnfLiteral(text: string): string {
  let out = '"';
  for (const ch of text) {
    const c = ch.codePointAt(0) as number;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${hex(c, 2)}`;
    else if (c < 0x80) out += ch;
    else if (c <= 0xffff) out += `\\u${hex(c, 4)}`;
    else out += `\\U${hex(c, 8)}`;
  }
  return out + '"';
}

/** The grammar `root ::= "<tail>" rest` where `rest` is anything, line breaks included (`.` is any character). */
export function healGrammar(tail: Uint8Array): string | undefined {
  const text = tailText(tail);
  // llama.cpp's grammar reads token pieces as C strings: a NUL byte can never be matched.
  if (text === undefined || text.includes('\0')) return undefined;
  return `root ::= ${gbnfLiteral(text)} rest\nrest ::= .*\n`;
}

const REGEX_META = new Set('\\^$.|?*+()[]{}');

/**
 * Regex literal text: metacharacters escaped, control characters as `\xNN`; other characters stay as they
 * are (every regex dialect vLLM uses reads non-ASCII literally, while their `\u` forms differ).
 */
export function regexLiteral(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0) as number;
    if (REGEX_META.has(ch)) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${hex(c, 2)}`;
    else out += ch;
  }
  return out;
}

/**
 * `<tail>[\s\S]*`: the tail, then anything, line breaks included. No `^`: vLLM's structured outputs match
 * the whole output already, and its regex backends (xgrammar, outlines, guidance) differ on anchors.
 */
export function healRegex(tail: Uint8Array): string | undefined {
  const text = tailText(tail);
  return text === undefined ? undefined : `${regexLiteral(text)}[\\s\\S]*`;
}

/**
 * The constraint to heal `tail` with, where the engine takes one: a regex first (its dialect is shared by
 * the servers that take one), else a GBNF grammar (the llama.cpp engines, the only ones with a grammar and
 * no regex). Undefined where there is none, where the tail is not whole UTF-8, or where it holds a stop
 * text (the engine would stop inside the tail).
 */
export function healConstraint(constraints: BackendCapabilities['constraints'], tail: Uint8Array, stops: readonly string[] = []): HealConstraint | undefined {
  const text = tailText(tail);
  if (text === undefined || tail.length === 0 || stops.some((s) => s.length > 0 && text.includes(s))) return undefined;
  if (constraints.includes('regex')) {
    const regex = healRegex(tail);
    if (regex !== undefined) return { via: 'regex', regex };
  }
  if (constraints.includes('grammar')) {
    const grammar = healGrammar(tail);
    if (grammar !== undefined) return { via: 'grammar', grammar };
  }
  return undefined;
}
