/**
 * Packages the extension with vsce (offline, as `npm run package` does) and checks what the .vsix holds:
 * the bundles, the vocabularies, the manifest, README, LICENSE and notices, and nothing else.
 */
import { packageVsix } from '../fixtures/vsix';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, resolve } from 'node:path';
import { inflateRawSync } from 'node:zlib';

const ROOT = resolve(__dirname, '..', '..');
const MAX_BYTES = 40 * 1024 * 1024;

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

/** The entries of a zip file, read from its central directory (no zip64: a .vsix stays far below 4 GB). */
export function zipEntries(zip: Buffer): ZipEntry[] {
  // The end-of-central-directory record is in the last 22 + 65,535 (comment) bytes.
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip file: no end-of-central-directory record');
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`bad central directory entry at ${at}`);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    entries.push({
      name: zip.toString('utf8', at + 46, at + 46 + nameLength),
      method: zip.readUInt16LE(at + 10),
      compressedSize: zip.readUInt32LE(at + 20),
      size: zip.readUInt32LE(at + 24),
      localHeaderOffset: zip.readUInt32LE(at + 42),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The uncompressed bytes of one entry (stored or deflated). */
export function zipRead(zip: Buffer, entry: ZipEntry): Buffer {
  const at = entry.localHeaderOffset;
  if (zip.readUInt32LE(at) !== 0x04034b50) throw new Error(`bad local header for ${entry.name}`);
  const start = at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
  const data = zip.subarray(start, start + entry.compressedSize);
  if (entry.method === 0) return Buffer.from(data);
  if (entry.method === 8) return inflateRawSync(data);
  throw new Error(`${entry.name}: unsupported compression method ${entry.method}`);
}

/** Where a file may sit in the .vsix. */
const ALLOWED: RegExp[] = [
  /^\[Content_Types\]\.xml$/,
  /^extension\.vsixmanifest$/,
  /^extension\/package\.json$/,
  /^extension\/readme\.md$/i,
  /^extension\/license(\.txt|\.md)?$/i,
  /^extension\/THIRD_PARTY_NOTICES\.md$/,
  /^extension\/dist\/[\w.-]+\.js$/,
  /^extension\/dist\/web\/extension\.js$/,
  /^extension\/dist\/webview\/(panel\.js|panel\.css|codicon\.css|codicon\.ttf)$/,
  /^extension\/dist\/data\/[^/]+$/,
  /^extension\/media\/.+$/,
  /^extension\/syntaxes\/.+\.json$/,
];
/** What must never ship, whatever the allowlist says. */
const FORBIDDEN: RegExp[] = [
  /(^|\/)(src|test|node_modules|bench|scripts|\.ci|\.git|\.bench|\.cache|\.vscode)\//,
  /^extension\/webview\//,
  /\.map$/,
  /\.[cm]?ts$/,
  /\.tsx$/,
  /\.vsix$/,
  /(^|\/)(package-lock\.json|tsconfig\.json|eslint\.config\.mjs|\.mocharc\.json|\.vscodeignore|\.gitignore)$/,
];

const REQUIRED = [
  '[Content_Types].xml',
  'extension.vsixmanifest',
  'extension/package.json',
  'extension/dist/extension.js',
  'extension/dist/cli.js',
  'extension/dist/core.js',
  'extension/dist/engine.js',
  'extension/dist/web/extension.js',
  'extension/dist/webview/panel.js',
  'extension/dist/webview/panel.css',
  'extension/dist/webview/codicon.css',
  'extension/dist/webview/codicon.ttf',
  'extension/readme.md',
  'extension/LICENSE.txt',
  'extension/THIRD_PARTY_NOTICES.md',
];

function buildIfNeeded(): void {
  const outputs = ['dist/extension.js', 'dist/cli.js', 'dist/core.js', 'dist/engine.js', 'dist/data/o200k_base.bpe', 'dist/webview/panel.js'];
  if (outputs.every((f) => existsSync(join(ROOT, f)))) return;
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], timeout: 600_000 });
}

describe('the .vsix package', function () {
  this.timeout(300_000);
  let dir: string;
  let vsix: string;
  let zip: Buffer;
  let entries: ZipEntry[];
  let names: string[];

  before(function () {
    this.timeout(600_000);
    buildIfNeeded();
    dir = mkdtempSync(join(tmpdir(), 'tokenwise-vsix-'));
    vsix = join(dir, 'tokenwise.vsix');
    packageVsix(vsix);
    zip = readFileSync(vsix);
    entries = zipEntries(zip);
    names = entries.map((e) => e.name);
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('holds the bundles, the manifest, README, LICENSE and notices', () => {
    const missing = REQUIRED.filter((r) => !names.some((n) => n.toLowerCase() === r.toLowerCase()));
    assert.deepEqual(missing, [], `missing from the .vsix; it holds:\n${names.join('\n')}`);
  });

  it('holds nothing else (no sources, tests, node_modules, benchmarks, scripts, source maps, TypeScript)', () => {
    const forbidden = names.filter((n) => FORBIDDEN.some((re) => re.test(n)));
    assert.deepEqual(forbidden, [], 'must not ship');
    const unexpected = names.filter((n) => !ALLOWED.some((re) => re.test(n)));
    assert.deepEqual(unexpected, [], 'not in the list of what may ship');
  });

  it('holds every bundle and every vocabulary of the build', () => {
    const dist = join(ROOT, 'dist');
    const bundles = readdirSync(dist).filter((f) => f.endsWith('.js')).map((f) => `extension/dist/${f}`);
    const data = readdirSync(join(dist, 'data')).filter((f) => !f.endsWith('.map')).map((f) => `extension/dist/data/${f}`);
    assert.ok(data.length > 0, 'dist/data is empty');
    assert.deepEqual([...bundles, ...data].filter((f) => !names.includes(f)), [], 'built but not packaged (see .vscodeignore)');
    for (const f of data) {
      const entry = entries.find((e) => e.name === f)!;
      assert.equal(entry.size, statSync(join(ROOT, f.slice('extension/'.length))).size, `${f} is packaged whole`);
    }
  });

  it('holds the vocabulary file of every bundled tokenizer', async () => {
    const registry = (await import('../../src/core/tokenizers/registry')) as { BUNDLED?: readonly { id: string; file: string }[] };
    const bundled = registry.BUNDLED ?? [];
    assert.ok(bundled.length > 0, 'src/core/tokenizers/registry exports BUNDLED');
    const missing = bundled.filter((t) => !names.includes(`extension/dist/data/${t.file}`)).map((t) => `${t.id}: ${t.file}`);
    assert.deepEqual(missing, []);
  });

  it('carries a manifest whose main and bin point at packaged files', () => {
    const manifest = JSON.parse(zipRead(zip, entries.find((e) => e.name === 'extension/package.json')!).toString('utf8')) as {
      name: string;
      main: string;
      bin?: Record<string, string>;
    };
    assert.equal(manifest.name, 'tokenwise');
    for (const target of [manifest.main, ...Object.values(manifest.bin ?? {})]) {
      const name = `extension/${posix.normalize(target).replace(/^\.\//, '')}`;
      assert.ok(names.includes(name), `${target} is not in the .vsix`);
    }
    const vsixManifest = zipRead(zip, entries.find((e) => e.name === 'extension.vsixmanifest')!).toString('utf8');
    assert.match(vsixManifest, /<Identity [^>]*Id="tokenwise"/);
  });

  it(`is smaller than ${MAX_BYTES / 1024 / 1024} MB`, () => {
    const size = statSync(vsix).size;
    assert.ok(size < MAX_BYTES, `${(size / 1024 / 1024).toFixed(1)} MB`);
  });
});
