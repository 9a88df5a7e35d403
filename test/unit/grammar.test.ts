/**
 * The special-token injection grammars (syntaxes/), run by VS Code's own TextMate engine (vscode-textmate on
 * vscode-oniguruma) over real grammars (tm-grammars: VS Code's TypeScript, Python, Markdown, HTML... grammars), wired
 * the way VS Code wires package.json's contributes.grammars: an injection grammar is offered to every grammar whose root
 * scope is one of its `injectTo` names or starts with one followed by a dot (TMGrammarFactory's getInjections).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, posix, resolve } from 'node:path';
import { OnigScanner, OnigString, loadWASM } from 'vscode-oniguruma';
import { INITIAL, Registry, type IGrammar, type IRawGrammar, type StateStack } from 'vscode-textmate';

const ROOT = resolve(__dirname, '..', '..');

interface GrammarContribution {
  scopeName: string;
  path: string;
  injectTo?: string[];
  language?: string;
}
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { contributes?: { grammars?: GrammarContribution[] } };
const contributed = manifest.contributes?.grammars ?? [];

interface RawRule {
  match?: string;
  begin?: string;
  end?: string;
  while?: string;
  name?: string;
  include?: string;
  patterns?: RawRule[];
  captures?: Record<string, RawRule>;
  beginCaptures?: Record<string, RawRule>;
  endCaptures?: Record<string, RawRule>;
}
interface OurGrammar extends RawRule {
  scopeName: string;
  injectionSelector?: string;
  repository?: Record<string, RawRule>;
}
const ours = new Map<string, OurGrammar>(
  contributed.map((g) => [g.scopeName, JSON.parse(readFileSync(join(ROOT, g.path), 'utf8')) as OurGrammar]),
);

/** Minimal hosts: a `source` grammar with strings and comments only, and a `text` grammar with no rules (plain text). */
const MINIMAL_SOURCE = {
  scopeName: 'source.tokenwise-test',
  patterns: [
    { begin: '"', end: '"', name: 'string.quoted.double.tokenwise-test' },
    { begin: '#', end: '$', name: 'comment.line.number-sign.tokenwise-test' },
  ],
};
const MINIMAL_TEXT = { scopeName: 'text.tokenwise-test', patterns: [] };

const FAMILIES = ['fim', 'chat', 'control', 'tool', 'repo', 'media', 'reserved', 'timestamp', 'other'] as const;
type Family = (typeof FAMILIES)[number];
const SPECIAL = /^keyword\.control\.special-token\.([a-z]+)\.tokenwise$/;

let registry: Registry;
/** The same grammars without ours: what VS Code shows without the extension. */
let plainRegistry: Registry;
const tmGrammars = new Map<string, string>(); // scope name -> file

function rawGrammar(scopeName: string, withOurs: boolean): IRawGrammar | null {
  if (scopeName === MINIMAL_SOURCE.scopeName) return MINIMAL_SOURCE as unknown as IRawGrammar;
  if (scopeName === MINIMAL_TEXT.scopeName) return MINIMAL_TEXT as unknown as IRawGrammar;
  const own = withOurs ? ours.get(scopeName) : undefined;
  if (own) return structuredClone(own) as unknown as IRawGrammar;
  const file = tmGrammars.get(scopeName);
  return file ? (JSON.parse(readFileSync(file, 'utf8')) as IRawGrammar) : null;
}

before(async function () {
  this.timeout(120_000);
  const onigWasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await loadWASM(onigWasm.buffer.slice(onigWasm.byteOffset, onigWasm.byteOffset + onigWasm.byteLength) as ArrayBuffer);
  const dir = dirname(require.resolve('tm-grammars/grammars/json.json'));
  for (const file of readdirSync(dir)) {
    const { scopeName } = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { scopeName: string };
    tmGrammars.set(scopeName, join(dir, file));
  }
  // VS Code's TMGrammarFactory: injectTo names, looked up for every prefix of a root scope at a dot, in the order the
  // grammars were contributed.
  const injectTo = new Map<string, string[]>();
  for (const g of contributed) for (const scope of g.injectTo ?? []) injectTo.set(scope, [...(injectTo.get(scope) ?? []), g.scopeName]);
  const onigLib = Promise.resolve({ createOnigScanner: (sources: string[]) => new OnigScanner(sources), createOnigString: (text: string) => new OnigString(text) });
  registry = new Registry({
    onigLib,
    loadGrammar: async (scopeName) => rawGrammar(scopeName, true),
    getInjections: (scopeName) => {
      const parts = scopeName.split('.');
      const result: string[] = [];
      for (let i = 1; i <= parts.length; i++) result.push(...(injectTo.get(parts.slice(0, i).join('.')) ?? []));
      return result;
    },
  });
  plainRegistry = new Registry({ onigLib, loadGrammar: async (scopeName) => rawGrammar(scopeName, false) });
});

const grammars = new Map<string, IGrammar>();
async function grammar(scopeName: string, plain = false): Promise<IGrammar> {
  const key = `${plain ? 'plain ' : ''}${scopeName}`;
  let g = grammars.get(key);
  if (!g) {
    const loaded = await (plain ? plainRegistry : registry).loadGrammar(scopeName);
    assert.ok(loaded, `no grammar for ${scopeName}`);
    g = loaded;
    grammars.set(key, g);
  }
  return g;
}

interface Token {
  line: number;
  start: number;
  text: string;
  scopes: string[];
}
async function tokenize(scopeName: string, source: string, plain = false): Promise<Token[]> {
  const g = await grammar(scopeName, plain);
  const tokens: Token[] = [];
  let state: StateStack = INITIAL;
  source.split('\n').forEach((text, line) => {
    const result = g.tokenizeLine(text, state);
    state = result.ruleStack;
    for (const t of result.tokens) tokens.push({ line, start: t.startIndex, text: text.slice(t.startIndex, t.endIndex), scopes: t.scopes });
  });
  return tokens;
}

interface Mark {
  line: number;
  start: number;
  text: string;
  family: string;
}
/** The special-token marks in a text: each token that carries a special-token scope, with its family. */
async function marks(scopeName: string, source: string): Promise<Mark[]> {
  const found: Mark[] = [];
  for (const t of await tokenize(scopeName, source)) {
    const families = t.scopes.map((s) => SPECIAL.exec(s)?.[1]).filter((f): f is string => f !== undefined);
    assert.ok(families.length <= 1, `${JSON.stringify(t.text)} carries ${families.length} special-token scopes: ${t.scopes.join(' ')}`);
    if (families.length === 1) found.push({ line: t.line, start: t.start, text: t.text, family: families[0] });
  }
  return found;
}

async function dump(scopeName: string, source: string): Promise<string> {
  return (await tokenize(scopeName, source)).map((t) => `  ${JSON.stringify(t.text)}  ${t.scopes.slice(1).join(' ')}`).join('\n');
}

/** Each character's scopes, line by line, less those given. */
async function charScopes(scopeName: string, source: string, plain: boolean, less: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const t of await tokenize(scopeName, source, plain)) {
    const scopes = t.scopes.filter((s) => !less.includes(s)).join(' ');
    for (const ch of t.text) out.push(`${t.line}:${ch} ${scopes}`);
  }
  return out;
}

/** `@@` in a template is where the sentinel goes: it must be marked there, over exactly its characters, and nothing else. */
async function assertMarked(scopeName: string, template: string, sentinel: string, family: Family) {
  const source = template.replace('@@', sentinel);
  const before = template.slice(0, template.indexOf('@@')).split('\n');
  const expected: Mark[] = [{ line: before.length - 1, start: before[before.length - 1].length, text: sentinel, family }];
  const actual = await marks(scopeName, source);
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    assert.fail(`${scopeName}: ${JSON.stringify(source)}\n expected ${JSON.stringify(expected)}\n got ${JSON.stringify(actual)}\n${await dump(scopeName, source)}`);
  }
}

async function assertUnmarked(scopeName: string, source: string) {
  const actual = await marks(scopeName, source);
  if (actual.length > 0) assert.fail(`${scopeName}: ${JSON.stringify(source)}\n marked ${JSON.stringify(actual)}\n${await dump(scopeName, source)}`);
}

// ---------------------------------------------------------------------------------------------------------------------
// The sentinels, by where they are marked.

/** Cannot be ordinary syntax anywhere: marked everywhere, code included. */
const EVERYWHERE: [string, Family][] = [
  ...['<|fim_prefix|>', '<|fim_middle|>', '<|fim_suffix|>', '<|fim_pad|>'].map((s) => [s, 'fim'] as [string, Family]),
  ...['<fim_prefix>', '<fim_middle>', '<fim_suffix>', '<fim_pad>', '<fim-prefix>', '<fim-middle>', '<fim-suffix>', '<fim-pad>'].map((s) => [s, 'fim'] as [string, Family]),
  ...['<｜fim▁begin｜>', '<｜fim▁hole｜>', '<｜fim▁end｜>'].map((s) => [s, 'fim'] as [string, Family]),
  ...[
    '<|im_start|>', '<|im_end|>', '<|im_sep|>', '<|start_header_id|>', '<|end_header_id|>', '<|eot_id|>', '<|eom_id|>',
    '<|start|>', '<|end|>', '<|message|>', '<|channel|>', '<|constrain|>', '<|return|>', '<|call|>',
    '<|user|>', '<|assistant|>', '<|system|>', '<|START_OF_TURN_TOKEN|>', '<start_of_turn>', '<end_of_turn>', '<｜User｜>', '<｜Assistant｜>',
  ].map((s) => [s, 'chat'] as [string, Family]),
  ...['<|endoftext|>', '<|startoftext|>', '<|endofprompt|>', '<|begin_of_text|>', '<|end_of_text|>', '<｜begin▁of▁sentence｜>', '<｜end▁of▁sentence｜>'].map((s) => [s, 'control'] as [string, Family]),
  ...['<|python_tag|>', '<|tool_call_begin|>', '<｜tool▁calls▁begin｜>', '<｜tool▁call▁end｜>'].map((s) => [s, 'tool'] as [string, Family]),
  ...['<|repo_name|>', '<|file_sep|>', '<file_sep>', '<repo_name>', '<gh_stars>', '<issue_start>', '<issue_comment>', '<jupyter_start>', '<jupyter_code>', '<commit_before>', '<empty_output>', '<pr_diff_hunk>'].map((s) => [s, 'repo'] as [string, Family]),
  ...['<|object_ref_start|>', '<|box_start|>', '<|quad_start|>', '<|vision_start|>', '<|image_pad|>', '<|video_pad|>', '<start_of_image>'].map((s) => [s, 'media'] as [string, Family]),
  ...['<|reserved_special_token_0|>', '<|reserved_special_token_247|>', '<extra_id_0>'].map((s) => [s, 'reserved'] as [string, Family]),
  ['<|0.00|>', 'timestamp'],
  ...['<|transcribe|>', '<|some_new_token|>', '<｜place▁holder▁no▁1｜>'].map((s) => [s, 'other'] as [string, Family]),
];

/** Bracketed: x[INST] is an index, 1<<SYS>>2 two shifts. Marked outside code: strings, comments, prose. */
const OUTSIDE_CODE: [string, Family][] = [
  ...['[INST]', '[/INST]', '<<SYS>>', '<</SYS>>', '[SYSTEM_PROMPT]', '[/SYSTEM_PROMPT]', '[THINK]', '[/THINK]'].map((s) => [s, 'chat'] as [string, Family]),
  ...['[TOOL_CALLS]', '[AVAILABLE_TOOLS]', '[/AVAILABLE_TOOLS]', '[TOOL_RESULTS]', '[/TOOL_RESULTS]'].map((s) => [s, 'tool'] as [string, Family]),
  ...['[PREFIX]', '[SUFFIX]', '[MIDDLE]'].map((s) => [s, 'fim'] as [string, Family]),
  ...['[IMG]', '[IMG_BREAK]', '[IMG_END]'].map((s) => [s, 'media'] as [string, Family]),
  ...['[CLS]', '[SEP]', '[MASK]', '[PAD]', '[UNK]'].map((s) => [s, 'control'] as [string, Family]),
];

/** Tag-like: <s> is HTML's strikethrough, <PRE> an HTML tag, <think> an XML element. Marked outside code and markup. */
const OUTSIDE_MARKUP: [string, Family][] = [
  ...['<s>', '</s>', '<unk>', '<bos>', '<eos>', '<pad>', '<mask>'].map((s) => [s, 'control'] as [string, Family]),
  ...['<PRE>', '<SUF>', '<MID>', '<EOT>'].map((s) => [s, 'fim'] as [string, Family]),
  ...['<think>', '</think>'].map((s) => [s, 'chat'] as [string, Family]),
  ...['<tool_call>', '</tool_call>', '<tool_response>'].map((s) => [s, 'tool'] as [string, Family]),
];

// ---------------------------------------------------------------------------------------------------------------------
// Where they go. [host scope, template]; `@@` is the sentinel.

/** Strings and comments of code, code blocks and plain text: every sentinel is marked there. */
const LITERALS: [string, string][] = [
  ['source.tokenwise-test', 'x = "say @@ now"'],
  ['source.tokenwise-test', 'x = 1 # note @@ here'],
  ['text.tokenwise-test', 'Prompt: @@ and more'],
  ['source.ts', 'const p = "@@";'],
  ['source.ts', "const p = 'a @@ b';"],
  ['source.ts', 'const p = `${role}\n@@ ${text}`;'],
  ['source.ts', 'const x = 1; // see @@'],
  ['source.ts', '/*\n * @@\n */'],
  ['source.tsx', 'const p = <div title="x">{"@@"}</div>;'],
  ['source.js', 'const p = "@@";'],
  ['source.python', 'p = "@@"'],
  ['source.python', "p = 'a @@ b'"],
  ['source.python', 'def f():\n    """Docs.\n\n    @@\n    """'],
  ['source.python', 'p = f"@@{text}"'],
  ['source.python', 'p = f"{role}\\n@@\\n"'],
  ['source.python', 'p = f"""\n{system}@@ done\n"""'],
  ['source.python', 'p = f"""\n@@ {x}\n"""'],
  ['source.python', "p = rf'\\d @@ {x}'"],
  ['source.python', 'x = 1  # @@'],
  ['source.go', 'p := "@@"'],
  ['source.go', 'p := `line @@`'],
  ['source.go', 'x := 1 // @@'],
  ['source.rust', 'let p = "@@";'],
  ['source.rust', 'let p = r#"@@"#;'],
  ['source.c', 'const char *p = "@@";'],
  ['source.cpp', 'auto p = "@@";'],
  ['source.cpp', 'int x; /* @@ */'],
  ['source.java', 'String p = "@@";'],
  ['source.java', 'int x; // @@'],
  ['source.cs', 'var p = "@@";'],
  ['source.cs', 'var p = $"{role}@@";'],
  ['source.shell', 'echo "@@ $x"'],
  ['source.shell', "printf '%s' '@@'"],
  ['source.shell', 'cat <<EOF\n@@\nEOF'],
  ['source.json', '{"bos_token": "@@"}'],
  ['source.yaml', 'bos_token: "@@"'],
  ['source.yaml', 'prompt: |\n  system\n  @@ user'],
  ['source.php', '<?php echo "@@"; ?>'],
  ['text.html.basic', '<p>x</p><!-- @@ -->'],
  ['text.xml', '<doc><![CDATA[ @@ ]]></doc>'],
  ['text.log', '2024-01-01 12:00:00 INFO prompt @@ sent'],
  ['text.html.markdown', 'Write `@@` at the start.'],
  ['text.html.markdown', '# Heading with `@@`'],
  ['text.html.markdown', '- item with ``@@`` in it'],
  ['text.html.markdown', '```\n@@ raw\n```'],
  ['text.html.markdown', '```python\np = "@@"\n```'],
  ['text.html.markdown', 'Text.\n\n    @@ indented'],
];

/** Prose of text grammars, where markup is: bracketed and bar sentinels are marked, tag-like ones are markup. */
const PROSE: [string, string][] = [
  ['text.html.markdown', 'Put @@ before the user turn.'],
  ['text.html.markdown', '# The @@ token'],
  ['text.html.markdown', '1. first\n2. then @@ **bold**'],
  ['text.html.markdown', '> quoted @@ text'],
  ['text.html.basic', '<p>Then @@ follows.</p>'],
];

/** Code itself: only the sentinels that cannot be code. */
const CODE: [string, string][] = [
  ['source.tokenwise-test', 'x = @@'],
  ['source.ts', 'const x = f(@@);'],
  ['source.python', 'x = @@'],
  ['source.c', 'int x = @@;'],
  ['source.tsx', 'const e = <p>@@</p>;'],
  ['text.xml', '<doc>@@</doc>'],
];

describe('special-token grammars: sentinels are marked', () => {
  for (const [scope, template] of LITERALS) {
    it(`${scope}: ${JSON.stringify(template)}`, async () => {
      for (const [sentinel, family] of [...EVERYWHERE, ...OUTSIDE_CODE, ...OUTSIDE_MARKUP]) await assertMarked(scope, template, sentinel, family);
    });
  }
  for (const [scope, template] of PROSE) {
    it(`prose, ${scope}: ${JSON.stringify(template)}`, async () => {
      for (const [sentinel, family] of [...EVERYWHERE, ...OUTSIDE_CODE]) await assertMarked(scope, template, sentinel, family);
    });
  }
  for (const [scope, template] of CODE) {
    it(`code, ${scope}: ${JSON.stringify(template)}`, async () => {
      for (const [sentinel, family] of EVERYWHERE) await assertMarked(scope, template, sentinel, family);
    });
  }

  it('tag-like sentinels are markup in Markdown prose, HTML, XML and JSX, and not marked there', async () => {
    for (const [sentinel] of OUTSIDE_MARKUP) {
      for (const [scope, template] of [...PROSE, ['text.xml', '<doc>@@</doc>'], ['source.tsx', 'const e = <p>@@</p>;']]) {
        await assertUnmarked(scope, template.replace('@@', sentinel));
      }
    }
  });

  it('bracketed sentinels are code in code, and not marked there', async () => {
    for (const [sentinel] of OUTSIDE_CODE) {
      for (const [scope, template] of CODE.filter(([scope]) => scope !== 'text.xml' && scope !== 'source.tsx')) {
        await assertUnmarked(scope, template.replace('@@', sentinel));
      }
    }
  });

  it('marks each of adjacent sentinels on its own', async () => {
    const source = 'p = "<s>[INST] <<SYS>>\\nsys\\n<</SYS>>\\n\\nhi [/INST]</s><|im_start|>user<|im_end|><fim_prefix>a<fim_suffix>b<fim_middle>"';
    const found = (await marks('source.python', source)).map((m) => `${m.text}:${m.family}`);
    assert.deepEqual(found, ['<s>:control', '[INST]:chat', '<<SYS>>:chat', '<</SYS>>:chat', '[/INST]:chat', '</s>:control', '<|im_start|>:chat', '<|im_end|>:chat', '<fim_prefix>:fim', '<fim_suffix>:fim', '<fim_middle>:fim']);
  });

  it('marks StarCoder <filename> and <reponame> only with a path right after', async () => {
    assert.deepEqual(
      (await marks('source.python', 'p = "<reponame>octo/repo<filename>src/main.py<gh_stars>10-100\\n"')).map((m) => `${m.text}:${m.family}`),
      ['<reponame>:repo', '<filename>:repo', '<gh_stars>:repo'],
    );
    await assertUnmarked('source.python', '# usage: tool <filename> <dir>');
    await assertUnmarked('text.tokenwise-test', 'Usage: cp <filename> <reponame>');
  });

  it('marks the text of Python f-strings, not the code interpolated into them', async () => {
    assert.deepEqual(
      (await marks('source.python', 'p = f"<|im_start|>{role}\\n{msgs[INST]}<s>[INST] {text} [/INST]<|im_end|>"')).map((m) => m.text),
      ['<|im_start|>', '<s>', '[INST]', '[/INST]', '<|im_end|>'],
    );
    // Apostrophes in a double-quoted f-string are text; a sentinel right after the opening quote does not stop the rest.
    assert.deepEqual(
      (await marks('source.python', 'p = f"<|im_start|>You\'re {x}<s>it\'s [INST]"')).map((m) => m.text),
      ['<|im_start|>', '<s>', '[INST]'],
    );
    // The code in a replacement field stays code, even after a string in it.
    const code = await tokenize('source.python', 'p = f"{row[\'k\'][0]} <s>"');
    assert.ok(code.find((t) => t.text === '0')?.scopes.includes('constant.numeric.dec.python'), await dump('source.python', 'p = f"{row[\'k\'][0]} <s>"'));
    const tokens = await tokenize('source.python', 'p = f"a <s> b{x}c"');
    const text = tokens.filter((t) => t.text === ' b' || t.text === 'c' || t.text === 'a ');
    for (const t of text) assert.ok(t.scopes.some((s) => s.startsWith('string.')), `${JSON.stringify(t.text)} is still string: ${t.scopes.join(' ')}`);
  });

  it('keeps Markdown code spans code spans', async () => {
    const tokens = await tokenize('text.html.markdown', 'a `x <s> y` b ``c`<|im_end|>`` d `open');
    const raw = tokens.filter((t) => t.scopes.includes('markup.inline.raw.string.markdown')).map((t) => t.text).join('');
    assert.equal(raw, '`x <s> y```c`<|im_end|>``');
    assert.deepEqual(tokens.filter((t) => t.scopes.includes('punctuation.definition.raw.markdown')).map((t) => t.text), ['`', '`', '``', '``']);
  });
});

describe('special-token grammars: hosts look the same where there is no special token', () => {
  // Python f-strings and Markdown code spans are retokenized by our grammars: every character must keep the scopes the
  // host grammar gives it alone (our body scope aside).
  const cases: [string, string][] = [
    ['source.python', [
      'a = f"x {y} z" + f\'it\\\'s {d["k"]!r:>10} {{literal}} {x=}\' + F"{a}{b}" + f""',
      'b = rf"\\d+ {x} \\{" + fr\'raw\' + Rf"{y}\\" + bf"x" + f"{f\'{n}\'} {x:{w}.{p}}"',
      'c = f"""multi "quoted" \'\'\' {x}',
      'still {y!s} "" text',
      'end""" + rf\'\'\'raw {z} \\n\'\'\' + f"unterminated {x',
      'd = f"don\'t < [ {row[\'k\'][0]} x < y [0] \\x41 \\N{DASH} \\"q\\" \\',
      'continued" + f"}" + f"{ }" + f\'{a[1:2]}\'',
    ].join('\n')],
    ['text.html.markdown', [
      'a `code` b ``co`de`` c ```x``` d `unclosed',
      'runs: `` a ``` b `` and ` c `` d ` and ``e`',
      'escaped \\`not code\\` and `code \\` here',
      '# Head `x` and `y`',
      '| a | `b` |',
      '|---|---|',
      '| `c` | d |',
      '',
      '- item `e` **`f`** [`g`](http://x) `` ` ``',
      '> `h` <b>`i`</b>',
      '',
      '```',
      'fence `j`',
      '```',
    ].join('\n')],
  ];
  for (const [scope, source] of cases) {
    it(scope, async () => {
      const less = ['meta.fstring-body.tokenwise'];
      assert.deepEqual(await charScopes(scope, source, false, less), await charScopes(scope, source, true, less));
    });
  }
});

describe('special-token grammars: ordinary code is not marked', () => {
  const cases: [string, string][] = [
    ['text.html.basic', '<s>struck</s> <pre>x</pre> <PRE>y</PRE> <div class="a"><think>t</think></div> <b>bold</b>'],
    ['text.html.basic', '<!DOCTYPE html><html><body><script>x = a[INST]; y = 1 << 2;</script></body></html>'],
    ['text.xml', '<?xml version="1.0"?>\n<doc><s>x</s><filename>a.txt</filename><bos/><PRE>y</PRE><think>z</think></doc>'],
    ['text.html.markdown', 'Some <s>struck</s> text, <PRE>pre</PRE>, <think>x</think>, <b>b</b>.\n\n[text](http://x) and [ref][id] and ![img](a.png)\n\n[id]: http://example.com'],
    ['text.html.markdown', '```html\n<s>struck</s> <PRE>x</PRE> <p title="y">z</p>\n```'],
    ['source.tsx', 'const el = <s>x</s>;\nconst y = <PRE>z</PRE>;\nfunction f<T>(x: Array<T>): Map<K, V> { return new Map<K, V>(); }\nconst g = <T,>(x: T) => x;'],
    ['source.ts', 'const m: Map<string, Array<number>> = new Map();\nif (a<b && c>d) {}\nx = a << 2 >> 3 >>> 1;\ny <<= 1; z >>= 2;\nconst r = /[INST]<s>(?<s>x)\\k<s>/;\nconst o = opcodes[INST];\ntype P = Promise<PRE>;\nlet q = x<y>z;'],
    ['source.ts', 's.replace(/(?<s>\\d)/, "$<s>"); const re = new RegExp("(?<s>a)\\\\k<s>");'],
    ['source.js', 'const v = a<b>c; x <<= 2; const arr = [INST, SEP];'],
    ['source.ts', 'const p = `${ops[INST]} ${a << 2}`;'],
    ['source.cs', 'var p = $"{ops[INST]}";'],
    ['source.python', 'x = opcodes[INST]\ny = a << 2 >> 1\nr = re.compile(r"(?P<s>\\d+)[INST]")\nq = re.compile("(?P<s>\\\\d+)(?P=s)")\nv = [CLS, SEP]\nf"{a[INST]}"'],
    ['source.c', '#include <stdio.h>\n#include <stdint.h>\nint y = 1<<SYS>>2;\nx = a[INST];\nif (a<b && b>c) y >>= 1;'],
    ['source.cpp', '#include <type_traits>\n#include <vector>\nstd::vector<int> v;\ntemplate<typename T> class A {};\nauto m = std::map<std::string, int>{};\nx = a[INST] << 2;'],
    ['source.rust', 'let v = Vec::<u8>::new();\nfn f<\'a>(x: &\'a str) -> Option<&\'a str> { None }\nlet c = it.collect::<Vec<_>>();\nlet t = ops[INST];'],
    ['source.java', 'List<String> l = new ArrayList<>();\nMap<K, V> m;\nint x = a[INST] << 2;\n/** Example: <PRE>code</PRE> <s>x</s> */\nclass A {}'],
    ['source.cs', '/// <summary><s>x</s> <PRE>y</PRE></summary>\nList<int> l = new List<int>();\nvar x = a[INST];'],
    ['source.fsharp', 'let y = f <| x\nlet z = x |> f\nlet w = (<|) f x\nlet q = f <|| (a, b)'],
    ['source.elm', 'main = view <| div [] [ text "x" ]'],
    ['source.haskell', 'p = a <|> b\nq = x <| xs |> y'],
    ['source.php', '<?php\n$x = $a << 2;\necho $b[INST];\n?>'],
    ['text.tokenwise-test', '<|im start|> <| im_start |> <||> <|_x|> < |x| > <|x|y|> <pre> <Pre> <S> [inst] [ INST ] [INST ] <</SYS> <fim_prefix <fimprefix> <｜｜> <｜a｜b｜>'],
    ['text.tokenwise-test', `<|${'a'.repeat(65)}|> <｜${'a'.repeat(41)}｜>`],
  ];
  for (const [scope, source] of cases) {
    it(`${scope}: ${JSON.stringify(source.length > 70 ? `${source.slice(0, 70)}...` : source)}`, async () => {
      await assertUnmarked(scope, source);
    });
  }
});

describe('special-token grammars: contributed to VS Code', () => {
  it('contributes every grammar under syntaxes/, as injections into every source and text grammar', () => {
    const files = readdirSync(join(ROOT, 'syntaxes')).filter((f) => f.endsWith('.tmLanguage.json')).map((f) => `syntaxes/${f}`);
    assert.deepEqual(contributed.map((g) => posix.normalize(g.path).replace(/^\.\//, '')).sort(), files.sort());
    for (const g of contributed) {
      assert.ok(existsSync(join(ROOT, g.path)), g.path);
      assert.equal(g.language, undefined, `${g.path} is an injection, not a language's grammar`);
      // VS Code offers an injection to a grammar whose root scope is an injectTo name or starts with it and a dot:
      // "source" and "text" reach every language (source.ts, source.python, text.html.markdown, text.log...).
      assert.deepEqual(g.injectTo, ['source', 'text'], g.path);
      const raw = ours.get(g.scopeName);
      assert.equal(raw?.scopeName, g.scopeName, `${g.path} declares scopeName ${g.scopeName}`);
      assert.ok(raw?.injectionSelector?.startsWith('L:'), `${g.path} injects with priority L:`);
    }
  });

  it('contributes the Python f-string grammar before the one it competes with right after an opening quote', () => {
    // Of two injections matching at the same character, vscode-textmate takes the first that VS Code registered.
    const order = contributed.map((g) => g.scopeName);
    assert.ok(order.indexOf('tokenwise.special-tokens.python.injection') < order.indexOf('tokenwise.special-tokens.injection'), order.join(', '));
  });

  it('reaches every language, embedded ones included', async () => {
    for (const scope of ['source.ts', 'source.python', 'source.go', 'source.yaml', 'source.shell', 'text.html.markdown', 'text.html.basic', 'text.xml', 'text.log', 'text.git-commit']) {
      const source = scope === 'text.html.basic' ? '<p><|im_end|></p>' : scope === 'text.xml' ? '<a><|im_end|></a>' : '<|im_end|>';
      assert.deepEqual((await marks(scope, source)).map((m) => m.text), ['<|im_end|>'], scope);
    }
    assert.deepEqual((await marks('text.html.basic', '<script>\nconst p = "<s><|im_end|>";\n</script>')).map((m) => m.text), ['<s>', '<|im_end|>']);
  });

  it('names every match keyword.control.special-token.<family>.tokenwise', () => {
    const names = new Set<string>();
    const walk = (rule: RawRule | undefined) => {
      if (!rule) return;
      if (rule.name && (rule.match || rule.begin)) names.add(rule.name);
      rule.patterns?.forEach(walk);
    };
    for (const g of ours.values()) {
      walk(g);
      Object.values(g.repository ?? {}).forEach(walk);
    }
    const special = [...names].filter((n) => n.startsWith('keyword.'));
    for (const name of special) assert.ok(FAMILIES.includes(SPECIAL.exec(name)?.[1] as Family), name);
    assert.deepEqual(new Set(special.map((n) => SPECIAL.exec(n)?.[1])), new Set(FAMILIES));
  });

  it('compiles every regular expression with Oniguruma, and resolves every include', () => {
    const check = (g: OurGrammar, rule: RawRule, where: string) => {
      for (const key of ['match', 'begin', 'end', 'while'] as const) {
        const source = rule[key];
        // An end pattern's \1 is the begin's capture, which vscode-textmate substitutes before it compiles.
        if (source !== undefined) assert.doesNotThrow(() => new OnigScanner([key === 'end' ? source.replace(/\\\d/g, 'x') : source]), `${where}.${key}: ${source}`);
      }
      if (rule.include) {
        // Ours, or a rule of the host grammar it is written for: VS Code's own (tm-grammars carries the same).
        const [scope, name] = rule.include.startsWith('#') ? [g.scopeName, rule.include.slice(1)] : rule.include.split('#');
        const target = ours.get(scope) ?? (rawGrammar(scope, false) as { repository?: Record<string, unknown> } | null);
        assert.ok(target?.repository?.[name], `${where}: include ${rule.include}`);
      }
      rule.patterns?.forEach((r, i) => check(g, r, `${where}.patterns[${i}]`));
    };
    for (const g of ours.values()) {
      check(g, g, g.scopeName);
      for (const [name, rule] of Object.entries(g.repository ?? {})) check(g, rule, `${g.scopeName}#${name}`);
    }
  });
});
