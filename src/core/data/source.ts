/**
 * The core's one way to files and data: Tokenwise's bundled data (vocabularies, the model catalog, chat
 * templates) and the files a user names (a `tokenizer.json`, a GGUF model). Each entry point gives the core
 * one source: Node's file system for the extension, the CLI, tests and benchmarks (`./node.ts`); the
 * extension's own package through `workspace.fs` for the web extension, which has no file system and so reads
 * nothing by path.
 */
export interface DataSource {
  /** A bundled data file by name (`o200k_base.bpe`, `models.json`). */
  bundled(name: string): Promise<Uint8Array>;
  /** What a platform with a file system does at once (the CLI loads synchronously); absent on the web. */
  readonly files?: FileAccess;
}

export interface FileAccess {
  bundled(name: string): Uint8Array;
  read(path: string): Uint8Array;
  /** A file read in parts: a GGUF model's metadata without its weights. */
  open(path: string): RandomAccessFile;
  /** What is at a path; undefined when nothing is. */
  kind(path: string): 'file' | 'directory' | 'other' | undefined;
  /** An absolute form of a path given relative to the working directory. */
  absolute(path: string): string;
  gunzip(bytes: Uint8Array): Uint8Array;
}

export interface RandomAccessFile {
  readonly size: number;
  /** Up to `length` bytes from `position` (fewer at the end of the file). */
  read(position: number, length: number): Uint8Array;
  close(): void;
}

let current: DataSource | undefined;
let preloaded = new Map<string, Uint8Array>();

/** Gives the core its source; an entry point calls it once (a test may swap sources). */
export function useDataSource(source: DataSource): void {
  current = source;
  preloaded = new Map();
}

export function dataSource(): DataSource {
  if (!current) throw new Error('Tokenwise: no data source; the entry point must call useDataSource() first');
  return current;
}

/** The source's file access, or an error that says files by path cannot be read here. */
export function fileAccess(what: string): FileAccess {
  const files = dataSource().files;
  if (!files) throw new Error(`${what}: files cannot be read by path in VS Code for the Web`);
  return files;
}

/** Reads small bundled files ahead, so that `bundledNow` finds them where reads cannot wait (the web). */
export async function preloadBundled(names: readonly string[]): Promise<void> {
  const source = dataSource();
  const read = await Promise.all(names.map((name) => source.bundled(name)));
  names.forEach((name, i) => preloaded.set(name, read[i]));
}

/** A bundled file at once: read ahead by `preloadBundled`, or read now where the platform can. */
export function bundledNow(name: string): Uint8Array {
  const read = preloaded.get(name);
  if (read) return read;
  const files = dataSource().files;
  if (!files) throw new Error(`Tokenwise: the bundled ${name} was not read ahead (preloadBundled), and this platform cannot read it at once`);
  return files.bundled(name);
}

/** A value made once for each data source: caches of what was read are not mixed across sources. */
export function perSource<T>(make: () => T): () => T {
  const made = new WeakMap<DataSource, T>();
  return () => {
    const source = dataSource();
    let value = made.get(source);
    if (value === undefined) {
      value = make();
      made.set(source, value);
    }
    return value;
  };
}
