/**
 * The heal constraints: GBNF literals read back by llama.cpp's escape rules (`parse_char`) and regexes read
 * by a strict regex engine (JavaScript's `u` mode) give back every awkward character of the tail; the choice
 * between regex, grammar and none.
 */
import assert from 'node:assert/strict';
import { gbnfLiteral, healConstraint, healGrammar, healRegex, regexLiteral } from '../../src/core/fim/healConstraint';

const utf8 = (s: string) => new TextEncoder().encode(s);

/** A regex as vLLM's structured outputs apply it: to the whole output. */
const whole = (source: string) => new RegExp(`^(?:${source})$`, 'u');

/** Awkward characters: quotes, backslash, line breaks, tab, other controls, DEL, GBNF and regex syntax, 2/3/4-byte UTF-8, BOM, line separators. */
const AWKWARD = ['"', "'", '\\', '\n', '\r', '\t', '\x01', '\x1b', '\x1f', '\x7f', '[', ']', '-', '^', '$', '.', '|', '?', '*', '+', '(', ')', '{', '}', '/', '#', ' ', 'é', '\u00a0', '€', '\u2028', '\ufeff', '日本', '😀', '\u{10ffff}'];

/** llama.cpp's reading of a GBNF string literal (llama-grammar.cpp `parse_char`), as code points. */
function readGbnfLiteral(src: string): string {
  assert.ok(src.startsWith('"') && src.endsWith('"'), src);
  let out = '';
  let i = 1;
  const end = src.length - 1;
  while (i < end) {
    const ch = src[i];
    assert.notEqual(ch, '"', `an unescaped quote inside ${src}`);
    if (ch !== '\\') {
      out += ch;
      i++;
      continue;
    }
    const e = src[i + 1];
    const widths: Record<string, number> = { x: 2, u: 4, U: 8 };
    if (e in widths) {
      const digits = src.slice(i + 2, i + 2 + widths[e]);
      assert.match(digits, new RegExp(`^[0-9a-fA-F]{${widths[e]}}$`), src);
      out += String.fromCodePoint(parseInt(digits, 16));
      i += 2 + widths[e];
    } else {
      const simple: Record<string, string> = { t: '\t', r: '\r', n: '\n', '\\': '\\', '"': '"', '[': '[', ']': ']', '-': '-' };
      assert.ok(e in simple, `unknown escape \\${e} in ${src}`);
      out += simple[e];
      i += 2;
    }
  }
  return out;
}

describe('FIM heal constraints', () => {
  it('GBNF literals are ASCII and read back as the exact text, for every awkward character', () => {
    for (const text of [...AWKWARD, AWKWARD.join(''), 'retu', 'print("a\\"b', 'x = "café";\n\ty']) {
      const lit = gbnfLiteral(text);
      assert.match(lit, /^[\x20-\x7e]*$/, `${JSON.stringify(text)} gives ${lit}`);
      assert.equal(readGbnfLiteral(lit), text, lit);
    }
    assert.equal(gbnfLiteral('a"b\\c\n'), '"a\\"b\\\\c\\n"');
    assert.equal(gbnfLiteral('é😀\x01'), '"\\u00E9\\U0001F600\\x01"');
  });

  it('the grammar is the tail then anything, multi-line included', () => {
    assert.equal(healGrammar(utf8('pri')), 'root ::= "pri" rest\nrest ::= .*\n');
    assert.equal(healGrammar(utf8('a"\n')), 'root ::= "a\\"\\n" rest\nrest ::= .*\n');
  });

  it('regexes match the tail followed by anything, and nothing that does not start with it', () => {
    for (const text of [...AWKWARD, AWKWARD.join(''), 'retu', 'a.b', 'x = "café";\n\ty']) {
      const source = healRegex(utf8(text));
      assert.ok(source !== undefined);
      // `u` mode rejects escapes that mean nothing, so an over-escaped character fails here.
      const re = whole(source);
      for (const rest of ['', 'x', '\n\nmore\r\n', '😀']) assert.ok(re.test(text + rest), `${source} on ${JSON.stringify(text + rest)}`);
      const other = text === 'a' ? 'b' : 'a';
      assert.equal(re.test(other + text), false, `${source} on ${JSON.stringify(other + text)}`);
      assert.equal(re.exec(text + 'tail\nend')?.[0], text + 'tail\nend');
    }
    assert.equal(regexLiteral('a.b*(c)'), 'a\\.b\\*\\(c\\)');
    assert.equal(regexLiteral('\n\t\x00é'), '\\n\\t\\x00é');
    assert.equal(healRegex(utf8('pri')), 'pri[\\s\\S]*');
  });

  it('a regex has no anchor (vLLM matches it against the whole output), so matched whole it takes the tail only at the start', () => {
    assert.equal(healRegex(utf8('a.b'))!.startsWith('^'), false);
    const re = whole(healRegex(utf8('a.b'))!);
    assert.equal(re.test('axb'), false);
    assert.equal(re.test('xa.b'), false);
    assert.equal(re.test('a.bc'), true);
  });

  it('tails that end inside a character, or are not UTF-8, get no constraint; NUL gets no grammar', () => {
    const cut = utf8('café').subarray(0, 4);
    assert.equal(healGrammar(cut), undefined);
    assert.equal(healRegex(cut), undefined);
    assert.equal(healConstraint(['grammar', 'regex'], cut), undefined);
    assert.equal(healConstraint(['grammar'], Uint8Array.of(0xff, 0x61)), undefined);
    assert.equal(healGrammar(utf8('a\0b')), undefined);
    assert.equal(healRegex(utf8('a\0b')), 'a\\x00b[\\s\\S]*');
  });

  it('chooses a regex where the engine takes one, else a grammar, else none', () => {
    const tail = utf8('gre');
    assert.deepEqual(healConstraint(['grammar', 'regex', 'token-bias'], tail), { via: 'regex', regex: 'gre[\\s\\S]*' });
    assert.deepEqual(healConstraint(['grammar', 'token-bias'], tail), { via: 'grammar', grammar: 'root ::= "gre" rest\nrest ::= .*\n' });
    assert.equal(healConstraint(['token-bias'], tail), undefined);
    assert.equal(healConstraint([], tail), undefined);
    // Nothing to heal.
    assert.equal(healConstraint(['grammar'], new Uint8Array(0)), undefined);
    // A NUL cannot go into a grammar, but can into a regex.
    assert.equal(healConstraint(['grammar'], utf8('a\0')), undefined);
    assert.equal(healConstraint(['regex'], utf8('a\0'))?.via, 'regex');
  });

  it('a tail holding a stop text gets no constraint: the engine would stop inside it', () => {
    assert.equal(healConstraint(['grammar'], utf8('x<|endoftext|>'), ['<|endoftext|>']), undefined);
    assert.equal(healConstraint(['grammar'], utf8('Array<'), ['<|endoftext|>'])?.via, 'grammar');
  });
});
