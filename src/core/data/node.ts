/**
 * The data source over Node's file system, for the extension, the CLI, tests and benchmarks: the bundled
 * data is the `data/` folder beside the bundle (or the build output, seen from the sources).
 */
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { useDataSource, type DataSource, type RandomAccessFile } from './source';

let dataDir: string | undefined;

/** Where the bundled data is: `data/` beside the bundle, or the build output seen from the sources. */
export function dataDirectory(): string {
  if (dataDir) return dataDir;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    for (const candidate of [join(dir, 'data'), join(dir, 'dist', 'data')]) {
      if (existsSync(join(candidate, 'o200k_base.bpe'))) return (dataDir = candidate);
    }
    if (dirname(dir) === dir) throw new Error('Tokenwise: the bundled vocabularies are missing; run `npm run build`');
  }
}

function openFile(path: string): RandomAccessFile {
  const fd = openSync(path, 'r');
  return {
    size: fstatSync(fd).size,
    read(position, length) {
      const buf = new Uint8Array(length);
      let got = 0;
      while (got < length) {
        const n = readSync(fd, buf, got, length - got, position + got);
        if (n === 0) break;
        got += n;
      }
      return buf.subarray(0, got);
    },
    close: () => closeSync(fd),
  };
}

export const nodeDataSource: DataSource = {
  bundled: (name) => readFile(join(dataDirectory(), name)),
  files: {
    bundled: (name) => readFileSync(join(dataDirectory(), name)),
    read: (path) => readFileSync(path),
    open: openFile,
    kind(path) {
      const s = statSync(path, { throwIfNoEntry: false });
      return !s ? undefined : s.isFile() ? 'file' : s.isDirectory() ? 'directory' : 'other';
    },
    absolute: (path) => resolve(path),
    gunzip: (bytes) => gunzipSync(bytes),
  },
};

/** Makes Node's file system the core's data source. */
export function useNodeData(): void {
  useDataSource(nodeDataSource);
}
