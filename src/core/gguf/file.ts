/**
 * Reads a GGUF file's header and metadata from disk without loading its tensor data. Synchronous: only the
 * first few megabytes are read, and the tokenizer registry (used by the CLI) loads synchronously.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { readGgufHeader, type GgufFile } from './reader';

export function readGgufFile(path: string, options: { withTensors?: boolean } = {}): GgufFile {
  const fd = openSync(path, 'r');
  try {
    const readAt = (position: number, length: number): Uint8Array => {
      const buf = new Uint8Array(length);
      let got = 0;
      while (got < length) {
        const n = readSync(fd, buf, got, length - got, position + got);
        if (n === 0) break;
        got += n;
      }
      return buf.subarray(0, got);
    };
    return readGgufHeader(readAt, fstatSync(fd).size, options);
  } finally {
    closeSync(fd);
  }
}
