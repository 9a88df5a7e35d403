/**
 * Reads a GGUF file's header and metadata without loading its tensor data. Synchronous: only the first few
 * megabytes are read, and the tokenizer registry (used by the CLI) loads synchronously.
 */
import { fileAccess } from '../data/source';
import { readGgufHeader, type GgufFile } from './reader';

export function readGgufFile(path: string, options: { withTensors?: boolean } = {}): GgufFile {
  const file = fileAccess(path).open(path);
  try {
    return readGgufHeader((position, length) => file.read(position, length), file.size, options);
  } finally {
    file.close();
  }
}
