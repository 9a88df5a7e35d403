/** Loads the tokenizer a command names, turning every way that can fail into a one-line CLI error. */
import { existsSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { join, resolve } from 'node:path';
import { MalformedTokenizerError } from '../core/tokenizers/hf/tokenizerJson';
import { UnknownTokenizerError, listTokenizers, loadTokenizerSync } from '../core/tokenizers/registry';
import type { Tokenizer } from '../core/tokenizers/types';
import { CliError, describeErrno, oneLine } from './errors';
import { DEFAULT_TOKENIZER } from './usage';

export function loadCliTokenizer(idOrPath: string | undefined): Tokenizer {
  const id = idOrPath ?? DEFAULT_TOKENIZER;
  if (id === '') throw new CliError('--tokenizer needs an id or a path', 2);
  const target = isBundled(id) ? id : tokenizerFile(id);
  try {
    return loadTokenizerSync(target);
  } catch (e) {
    // An unknown id is a usage error; its message already lists the known ids.
    if (e instanceof UnknownTokenizerError) throw new CliError(oneLine(e.message), 2);
    if (e instanceof MalformedTokenizerError) throw new CliError(`malformed tokenizer file ${oneLine(e.message)}`);
    // Anything else thrown while reading a file (a corrupt .bpe, a library rejecting the JSON).
    throw new CliError(`cannot load tokenizer ${id}: ${oneLine(e instanceof Error ? e.message : String(e))}`);
  }
}

function isBundled(id: string): boolean {
  return listTokenizers().some((t) => t.id === id);
}

/**
 * A path that names a file or folder is checked here, so that a missing file is reported in words; a
 * model folder stands for the tokenizer.json inside it. Anything else goes to the registry as is.
 */
function tokenizerFile(idOrPath: string): string {
  let stats: Stats;
  try {
    stats = statSync(idOrPath);
  } catch (e) {
    if (!/[\\/]|\.json$|\.bpe$/.test(idOrPath)) return idOrPath; // an id, unknown to the registry
    throw new CliError(`cannot read tokenizer file ${idOrPath}: ${describeErrno(e)}`);
  }
  // Resolved, so that a file named like an id ("mytokenizer") is still read as a file.
  if (!stats.isDirectory()) return resolve(idOrPath);
  const inside = join(idOrPath, 'tokenizer.json');
  if (!existsSync(inside)) throw new CliError(`${idOrPath} is a folder without a tokenizer.json`);
  return resolve(inside);
}

/** Id and name without saying either twice: "llama3 – Llama 3, 3.1, 3.2, 3.3", "o200k_base (GPT-4o, …)". */
export function tokenizerLabel(tokenizer: Tokenizer): string {
  const { id, name } = tokenizer;
  return name.startsWith(id) ? name : id.endsWith(name) ? id : `${id} – ${name}`;
}

export const APPROXIMATE_NOTE = 'Note: this tokenizer is an estimate; the counts are approximate.';
