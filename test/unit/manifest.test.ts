/** package.json is a real VS Code extension manifest, and what it contributes exists in the sources. */
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { FEATURE_SETTINGS, SETTING_DEFAULTS } from '../../src/vscode/settingsSchema';

const ROOT = resolve(__dirname, '..', '..');

interface Command {
  command: string;
  title?: string;
  category?: string;
}
interface Manifest {
  name: string;
  publisher: string;
  version: string;
  license?: string;
  repository?: unknown;
  main: string;
  bin?: Record<string, string>;
  engines: { vscode?: string; node?: string };
  activationEvents?: string[];
  categories?: string[];
  scripts: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies: Record<string, string>;
  contributes?: {
    commands?: Command[];
    menus?: Record<string, { command?: string }[]>;
    keybindings?: { command: string }[];
    configuration?: { properties?: Record<string, { description?: string; markdownDescription?: string }> } | { properties?: Record<string, unknown> }[];
  };
}

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest;

/** Every contributed setting: its key and its schema. */
const SETTINGS: [string, { type?: unknown; default?: unknown; description?: string; markdownDescription?: string }][] = (() => {
  const configuration = manifest.contributes?.configuration;
  const sections = Array.isArray(configuration) ? configuration : configuration ? [configuration] : [];
  return sections.flatMap((section) => Object.entries(section.properties ?? {})) as [string, { type?: unknown; default?: unknown }][];
})();

/** A manifest path without its leading `./`. */
const normal = (path: string) => posix.normalize(path).replace(/^\.\//, '');

/** The text of every TypeScript source of the extension: src/ less the core and the CLI, which do not know VS Code. */
function extensionSources(dir = join(ROOT, 'src')): string {
  let text = '';
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory() && !['core', 'cli'].map((d) => join(ROOT, 'src', d)).includes(path)) text += extensionSources(path);
    else if (e.isFile() && e.name.endsWith('.ts')) text += readFileSync(path, 'utf8') + '\n';
  }
  return text;
}

const quoted = (text: string, id: string) => new RegExp(`(['"\`])${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\1`).test(text);

// https://code.visualstudio.com/api/references/extension-manifest (the Marketplace's categories)
const CATEGORIES = new Set([
  'AI', 'Azure', 'Chat', 'Data Science', 'Debuggers', 'Education', 'Extension Packs', 'Formatters', 'Keymaps',
  'Language Packs', 'Linters', 'Machine Learning', 'Notebooks', 'Other', 'Programming Languages', 'SCM Providers',
  'Snippets', 'Testing', 'Themes', 'Visualization',
]);

describe('extension manifest', () => {
  it('names the extension and its publisher', () => {
    assert.equal(manifest.name, 'tokenwise');
    assert.match(manifest.publisher, /^[a-z0-9][a-z0-9-]*$/i, 'publisher');
    assert.match(manifest.version, /^\d+\.\d+\.\d+(?:-[\w.]+)?$/, 'version');
    assert.equal(manifest.license, 'MIT');
    assert.ok(manifest.repository, 'repository (vsce needs it to resolve the README links)');
    for (const c of manifest.categories ?? []) assert.ok(CATEGORIES.has(c), `unknown category "${c}"`);
  });

  it('targets a VS Code version no newer than @types/vscode', () => {
    const engine = /^\^?(\d+)\.(\d+)\./.exec(manifest.engines.vscode ?? '');
    assert.ok(engine, `engines.vscode is "${manifest.engines.vscode}"`);
    const types = /(\d+)\.(\d+)/.exec(manifest.devDependencies['@types/vscode'] ?? '');
    assert.ok(types, '@types/vscode is a dev dependency');
    // vsce refuses to package when @types/vscode is newer than the engine.
    const [major, minor] = [Number(engine[1]), Number(engine[2])];
    assert.ok(Number(types[1]) < major || (Number(types[1]) === major && Number(types[2]) <= minor), `@types/vscode ${types[0]} is newer than engines.vscode ${manifest.engines.vscode}`);
  });

  it('activates on startup finished', () => {
    assert.ok(manifest.activationEvents?.includes('onStartupFinished'));
  });

  it('points main at the extension bundle and bin.tokenwise at the CLI bundle', () => {
    assert.equal(normal(manifest.main), 'dist/extension.js');
    assert.equal(normal(manifest.bin?.tokenwise ?? ''), 'dist/cli.js');
    const build = readFileSync(join(ROOT, 'scripts', 'build.mjs'), 'utf8');
    assert.ok(build.includes("'dist/extension.js'") && build.includes("'dist/cli.js'"), 'scripts/build.mjs writes both bundles');
  });

  it('bundles everything: no runtime dependencies, and vsce packages without them', () => {
    assert.deepEqual(Object.keys(manifest.dependencies ?? {}), []);
    assert.match(manifest.scripts.package ?? '', /vsce package .*--no-dependencies/);
  });

  it('gives every command a title and the "Tokenwise" category', () => {
    const commands = manifest.contributes?.commands ?? [];
    assert.ok(commands.length > 0, 'contributes.commands');
    const ids = new Set<string>();
    for (const c of commands) {
      assert.match(c.command, /^tokenwise\.[A-Za-z0-9.]+$/, 'command ids start with "tokenwise."');
      assert.ok(!ids.has(c.command), `${c.command} is contributed twice`);
      ids.add(c.command);
      assert.ok(c.title && c.title.trim().length > 0, `${c.command} has a title`);
      assert.equal(c.category, 'Tokenwise', `${c.command}'s category`);
    }
  });

  it('registers every contributed command in the extension sources', () => {
    assert.ok(existsSync(join(ROOT, 'src', 'extension.ts')), 'src/extension.ts');
    const text = extensionSources();
    const missing = (manifest.contributes?.commands ?? []).map((c) => c.command).filter((id) => !quoted(text, id));
    assert.deepEqual(missing, [], 'contributed but never registered (no string literal with the id under src/)');
  });

  it('refers only to contributed commands in menus and keybindings', () => {
    const ids = new Set((manifest.contributes?.commands ?? []).map((c) => c.command));
    const referenced = [
      ...Object.values(manifest.contributes?.menus ?? {}).flat().map((m) => m.command),
      ...(manifest.contributes?.keybindings ?? []).map((k) => k.command),
    ].filter((id): id is string => typeof id === 'string' && id.startsWith('tokenwise.'));
    assert.deepEqual(referenced.filter((id) => !ids.has(id)), []);
  });

  it('prefixes and describes every setting', () => {
    for (const [key, value] of SETTINGS) {
      assert.match(key, /^tokenwise\./, `setting ${key}`);
      assert.ok(value.description || value.markdownDescription, `setting ${key} has a description`);
    }
  });

  it('restricts in untrusted workspaces every setting that can point Tokenwise at a file, a model, a server or an executable', () => {
    // Every setting is sorted here: one that can point Tokenwise somewhere (or let it read more), or one that cannot.
    const pointing = [
      'tokenwise.tokenizer', 'tokenwise.completion.vocabulary', 'tokenwise.pinnedTokenizers', 'tokenwise.workspace.maxFileSize',
      'tokenwise.backend.kind', 'tokenwise.backend.url', 'tokenwise.backend.allowRemote', 'tokenwise.backend.model', 'tokenwise.backend.modelPath', 'tokenwise.backend.gpu',
    ];
    // tokenwise.models is application-scoped: no workspace can set it.
    const inert = [
      'tokenwise.model', 'tokenwise.models', 'tokenwise.budget.reservedOutput', 'tokenwise.budget.warningThreshold', 'tokenwise.budget.errorThreshold',
      'tokenwise.backgroundCountAbove', 'tokenwise.maxDocumentLength', 'tokenwise.highlight.enabled', 'tokenwise.highlight.whitespace', 'tokenwise.workspace.exclude',
      'tokenwise.backend.timeoutMs', 'tokenwise.completion.enabled', 'tokenwise.completion.strategy', 'tokenwise.completion.debounceMs', 'tokenwise.completion.maxTokens', 'tokenwise.completion.template',
    ];
    assert.deepEqual(SETTINGS.map(([k]) => k).filter((k) => !pointing.includes(k) && !inert.includes(k)), [], 'a new setting: sort it into one of the lists above');
    const restricted = (manifest as { capabilities?: { untrustedWorkspaces?: { restrictedConfigurations?: string[] } } }).capabilities?.untrustedWorkspaces?.restrictedConfigurations ?? [];
    assert.deepEqual(pointing.filter((k) => !restricted.includes(k)), []);
  });

  it("shows context-menu commands only where they apply (a 'when' on every explorer and editor-title entry)", () => {
    const menus = (manifest.contributes as { menus?: Record<string, { command: string; when?: string }[]> }).menus ?? {};
    const bare = ['explorer/context', 'editor/title/context', 'editor/context'].flatMap((m) => (menus[m] ?? []).filter((e) => !e.when).map((e) => `${m}: ${e.command}`));
    assert.deepEqual(bare, []);
  });

  it('declares every setting once in the settings module, with the manifest\'s default, and gives each to a feature', () => {
    const declared = Object.fromEntries(SETTINGS.map(([k, v]) => [k.replace(/^tokenwise\./, ''), v.default]));
    assert.deepEqual(SETTING_DEFAULTS, declared);
    // A setting no feature listens to would change nothing until a reload (the toggles write highlight.*).
    const heard = new Set(Object.values(FEATURE_SETTINGS).flat());
    assert.deepEqual(Object.keys(SETTING_DEFAULTS).filter((k) => !heard.has(k as keyof typeof SETTING_DEFAULTS)), []);
  });

  it('types whole-number settings as integers: only shares and thresholds are fractions', () => {
    const numbers = SETTINGS.filter(([, v]) => v.type === 'number').map(([k]) => k);
    assert.deepEqual(numbers.sort(), ['tokenwise.budget.errorThreshold', 'tokenwise.budget.warningThreshold']);
  });
});
