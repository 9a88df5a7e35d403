/**
 * The layering rule: `src/core/` (and the webview code) runs outside VS Code, so it must not import
 * `vscode`, nor reach up into the VS Code glue (`src/vscode/`), the CLI (`src/cli/`) or the extension's
 * entry point. ESLint's `no-restricted-imports` checks the same for `import` statements; this test also
 * catches `require()`, dynamic `import()` and `export … from`. Inside the core, folders import only the
 * layers below them (CORE_LAYERS), no files import each other in a cycle, and only `backends/` knows the
 * concrete backends' classes.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import * as ts from 'typescript';

const ROOT = resolve(__dirname, '..', '..');
const SOURCE = /\.(?:[cm]?[jt]sx?)$/;

/** Every source file under `dir` (none when it does not exist). */
function sources(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const files: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) files.push(...sources(path));
    else if (e.isFile() && SOURCE.test(e.name) && !e.name.endsWith('.d.ts')) files.push(path);
  }
  return files.sort();
}

/** The module specifiers a source imports: static, type-only, `export … from`, `import()`, `require()`. */
export function importsOf(text: string): string[] {
  const found = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
  // Belt and braces for forms the pre-processor might not report (a `require` called on a new line, say).
  for (const m of text.matchAll(/\brequire\s*\(\s*(['"`])([^'"`]+)\1\s*\)/g)) found.push(m[2]);
  return [...new Set(found)];
}

/** Why importing `specifier` from `file` breaks the layering rule, or undefined when it does not. */
export function violation(file: string, specifier: string, forbiddenDirs: readonly string[], forbiddenFiles: readonly string[]): string | undefined {
  if (specifier === 'vscode' || specifier.startsWith('vscode/')) return `imports '${specifier}'`;
  if (!specifier.startsWith('.')) return undefined;
  if (/(^|\/)vscode(\/|$)/.test(specifier)) return `imports '${specifier}', a path through a vscode folder`;
  const target = resolve(dirname(file), specifier);
  for (const dir of forbiddenDirs) {
    if (target === dir || target.startsWith(dir + sep)) return `imports '${specifier}', inside ${relative(ROOT, dir)}/`;
  }
  for (const f of forbiddenFiles) {
    if (target === f || target === f.replace(/\.ts$/, '')) return `imports '${specifier}' (${relative(ROOT, f)})`;
  }
  return undefined;
}

function violationsIn(files: readonly string[], forbiddenDirs: readonly string[], forbiddenFiles: readonly string[]): string[] {
  const problems: string[] = [];
  for (const file of files) {
    for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
      const why = violation(file, specifier, forbiddenDirs, forbiddenFiles);
      if (why) problems.push(`${relative(ROOT, file)} ${why}`);
    }
  }
  return problems;
}

const UPPER_DIRS = ['src/vscode', 'src/cli'].map((d) => join(ROOT, d));
const UPPER_FILES = [join(ROOT, 'src', 'extension.ts')];

describe('layering', () => {
  it('finds the imports it must find (self-check)', () => {
    const text = [
      "// import * as vscode from 'vscode'; (a comment: not an import)",
      "import type { Uri } from 'vscode';",
      "export { x } from '../../vscode/statusBar';",
      "const a = require('vscode');",
      'async function f() { return import("../cli/main"); }',
      "const s = 'https://example.com/vscode/';",
    ].join('\n');
    assert.deepEqual(importsOf(text).sort(), ['../../vscode/statusBar', '../cli/main', 'vscode'].sort());
    const file = join(ROOT, 'src', 'core', 'tokenizers', 'x.ts');
    assert.ok(violation(file, 'vscode', UPPER_DIRS, UPPER_FILES));
    assert.ok(violation(file, '../../vscode/statusBar', UPPER_DIRS, UPPER_FILES));
    assert.ok(violation(file, '../../cli/main', UPPER_DIRS, UPPER_FILES));
    assert.ok(violation(file, '../../extension', UPPER_DIRS, UPPER_FILES));
    assert.equal(violation(file, './bpe/merge', UPPER_DIRS, UPPER_FILES), undefined);
    assert.equal(violation(file, 'node:fs', UPPER_DIRS, UPPER_FILES), undefined);
  });

  it('src/core/ does not import vscode, src/vscode/, src/cli/ or the extension entry point', () => {
    const files = sources(join(ROOT, 'src', 'core'));
    assert.ok(files.length > 0, 'no sources found under src/core/');
    assert.deepEqual(violationsIn(files, UPPER_DIRS, UPPER_FILES), []);
  });

  it('webview/ does not import vscode or the extension side', () => {
    assert.deepEqual(violationsIn(sources(join(ROOT, 'webview')), UPPER_DIRS, UPPER_FILES), []);
  });

  it('the ESLint config keeps its no-restricted-imports rule for the core and the webview', () => {
    const config = readFileSync(join(ROOT, 'eslint.config.mjs'), 'utf8');
    assert.match(config, /'no-restricted-imports'[^\n]*paths: \['vscode'\]/);
    assert.match(config, /src\/core\/\*\*/);
    assert.match(config, /webview\/\*\*/);
  });

  it('inside src/core/ every folder imports only the layers below it (ARCHITECTURE.md)', () => {
    const problems: string[] = [];
    for (const file of sources(join(ROOT, 'src', 'core'))) {
      const from = coreFolder(file);
      if (from === undefined) continue;
      for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
        if (!specifier.startsWith('.')) continue;
        const to = coreFolder(resolve(dirname(file), specifier));
        if (to === undefined || to === from) continue;
        if (layerOf(to) >= layerOf(from)) problems.push(`${relative(ROOT, file)} (${from}) imports ${specifier} (${to})`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('every folder of src/core/ has its layer', () => {
    const folders = readdirSync(join(ROOT, 'src', 'core'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    assert.deepEqual(folders.filter((f) => !CORE_LAYERS.some((layer) => layer.includes(f))), []);
  });

  it('no files in src/core/ import each other in a cycle', () => {
    const files = sources(join(ROOT, 'src', 'core'));
    const known = new Set(files);
    const edges = new Map(files.map((f) => [f, importsOf(readFileSync(f, 'utf8')).filter((s) => s.startsWith('.')).map((s) => resolveSource(dirname(f), s, known)).filter((t): t is string => t !== undefined)]));
    assert.deepEqual(cycles(edges).map((c) => c.map((f) => relative(ROOT, f)).join(' → ')), []);
  });

  it('outside src/core/backends/ no code asks which concrete backend it has (instanceof)', () => {
    const classes = /\binstanceof\s+(LlamaServerBackend|OpenAICompatibleBackend|OllamaBackend|EmbeddedBackend)\b/;
    const backends = join(ROOT, 'src', 'core', 'backends') + sep;
    const found = sources(join(ROOT, 'src')).filter((f) => !f.startsWith(backends) && classes.test(readFileSync(f, 'utf8')));
    assert.deepEqual(found.map((f) => relative(ROOT, f)), []);
  });

  it('the core reads files and data only through its data source (core/data/)', () => {
    // Node's own file system: the data source over it, the workspace scan's, and the engine's child process.
    const allowed = ['src/core/data/node.ts', 'src/core/workspace/nodeFs.ts', 'src/core/engine/'].map((p) => join(ROOT, p));
    const found = sources(join(ROOT, 'src', 'core'))
      .filter((f) => !allowed.some((a) => f === a || (a.endsWith('/') && f.startsWith(a))))
      .filter((f) => importsOf(readFileSync(f, 'utf8')).some((s) => /^node:(?:fs|zlib)(?:\/|$)/.test(s)));
    assert.deepEqual(found.map((f) => relative(ROOT, f)), []);
  });

  it('nothing the web extension imports names a Node module', () => {
    const files = sources(join(ROOT, 'src'));
    const known = new Set(files);
    const seen = new Set<string>();
    const problems: string[] = [];
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
        if (specifier.startsWith('node:')) problems.push(`${relative(ROOT, file)} imports ${specifier}`);
        const target = specifier.startsWith('.') ? resolveSource(dirname(file), specifier, known) : undefined;
        if (target) visit(target);
      }
    };
    visit(join(ROOT, 'src', 'web', 'extension.ts'));
    assert.ok(seen.size > 50, `only ${seen.size} files reached from the web extension`);
    assert.deepEqual(problems, []);
  });

  it('the extension reads and writes settings only through src/vscode/config.ts', () => {
    const config = join(ROOT, 'src', 'vscode', 'config.ts');
    const found = sources(join(ROOT, 'src')).filter((f) => f !== config && /\bgetConfiguration\s*\(/.test(readFileSync(f, 'utf8')));
    assert.deepEqual(found.map((f) => relative(ROOT, f)), []);
  });
});

/** The core's folders, lowest first: a folder may import its own layer's files and those of layers below. */
const CORE_LAYERS: readonly (readonly string[])[] = [
  ['text', 'data'],
  ['gguf'],
  ['tokenizers'],
  ['incremental', 'workspace'],
  ['selection', 'decorations', 'hover', 'budget'],
  ['compare'],
  ['panel'],
  ['engine'],
  ['backends'],
  ['fim', 'surprisal'],
];

function layerOf(folder: string): number {
  // The core's own top-level files (its public index) sit above every folder.
  if (folder === '') return CORE_LAYERS.length;
  const at = CORE_LAYERS.findIndex((layer) => layer.includes(folder));
  if (at < 0) throw new Error(`src/core/${folder}/ has no layer: give it one in CORE_LAYERS and ARCHITECTURE.md`);
  return at;
}

/** The folder of the core a path is in ('' for the core's top-level files), or undefined outside the core. */
function coreFolder(path: string): string | undefined {
  const rel = relative(join(ROOT, 'src', 'core'), path);
  if (rel.startsWith('..')) return undefined;
  const parts = rel.split(sep);
  return parts.length > 1 ? parts[0] : '';
}

function resolveSource(dir: string, specifier: string, known: Set<string>): string | undefined {
  const base = resolve(dir, specifier).replace(/\.(js|ts)$/, '');
  return [`${base}.ts`, join(base, 'index.ts')].find((f) => known.has(f));
}

/** The import cycles of a graph (Tarjan's strongly connected components of more than one file). */
function cycles(edges: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    on.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) out.push(component.sort());
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return out;
}
