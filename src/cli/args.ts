/** Argument parsing helpers: `parseArgs` errors become usage errors, and option values are checked. */
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { UsageError } from './errors';
import { synopsis } from './usage';

/** `parseArgs`, with its errors rewritten as short usage errors for `command`. */
export function parseCommandArgs<T extends ParseArgsConfig>(command: string, config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs<T>(config);
  } catch (e) {
    throw new UsageError(describeParseError(e), synopsis(command));
  }
}

function describeParseError(e: unknown): string {
  const error = e as { code?: string; message?: string };
  const message = error.message ?? String(e);
  const quoted = /'([^']*)'/.exec(message)?.[1] ?? '';
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option '${quoted}'`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument '${quoted}'`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/argument missing/.test(message)) return `option '${/--[\w-]+/.exec(quoted)?.[0] ?? quoted}' needs a value`;
      if (/does not take an argument/.test(message)) return `option '${quoted}' does not take a value`;
      return message.split('. ')[0];
    default:
      return message.split('. ')[0];
  }
}

/** More positionals than a command takes. */
export function checkPositionals(command: string, positionals: readonly string[], max: number): void {
  if (positionals.length > max) throw new UsageError(`unexpected argument '${positionals[max]}'`, synopsis(command));
}

/** A whole number of tokens: "128000", "128_000", "128,000" or "128k" (= 128,000), "1m" (= 1,000,000). */
export function parseTokenCount(value: string, option: string, command: string): number {
  const match = /^(\d[\d_,]*(?:\.\d+)?)([km]?)$/i.exec(value.trim());
  const n = match ? Number(match[1].replace(/[_,]/g, '')) * (match[2] === '' ? 1 : match[2].toLowerCase() === 'k' ? 1e3 : 1e6) : NaN;
  if (!Number.isSafeInteger(n)) throw new UsageError(`${option} needs a whole number of tokens, not '${value}'`, synopsis(command));
  return n;
}

/** A size in bytes: "1048576", or with a K, M or G suffix (powers of 1024, as `head -c` reads them). */
export function parseByteSize(value: string, option: string, command: string): number {
  const match = /^(\d[\d_,]*)\s*([kmg]?)(?:i?b)?$/i.exec(value.trim());
  const scale = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[match?.[2].toLowerCase() ?? ''] ?? 1;
  const n = match ? Number(match[1].replace(/[_,]/g, '')) * scale : NaN;
  if (!Number.isSafeInteger(n)) throw new UsageError(`${option} needs a size in bytes (such as 1048576 or 20M), not '${value}'`, synopsis(command));
  return n;
}
