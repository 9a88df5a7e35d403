/**
 * Reads and counts a list of files in order, a few reads ahead so that the disk and the tokenizer
 * overlap, yielding to the host between time slices.
 */
import type { Tokenizer } from '../tokenizers/types';
import { throwIfAborted } from './abort';
import { decodeText, isBinary } from './binary';
import { contentKey } from './contentKey';
import { countCodePoints } from '../text/characters';
import { countTokensInSlices, type Pace } from './countText';
import { joinPath, type WorkspaceFs } from './fs';
import { BINARY, describeError, tooLarge, unreadable } from './skipReasons';
import type { FileTokens } from './types';
import type { TimeSlicer } from './yieldToHost';

/** Counts of content already counted, by `contentKey`. */
export type CountCache = Map<string, { tokens: number; characters: number }>;

export interface CountContext {
  fs: WorkspaceFs;
  root: string;
  tokenizer: Tokenizer;
  maxFileSize: number;
  slicer: TimeSlicer;
  pace: Pace;
  signal?: AbortSignal;
  /** When given, content counted before is not counted again, and each counted file gets its key. */
  cache?: CountCache;
}

export type FileOutcome = { path: string; file: FileTokens; key?: string } | { path: string; reason: string };

/** Reads in flight ahead of the file being counted. */
const READ_AHEAD = 8;

type Loaded = { bytes: Uint8Array } | { reason: string };

async function load(ctx: CountContext, path: string): Promise<Loaded> {
  const abs = joinPath(ctx.root, path);
  try {
    const { size } = await ctx.fs.stat(abs);
    if (size > ctx.maxFileSize) return { reason: tooLarge(size, ctx.maxFileSize) };
    const bytes = await ctx.fs.readFile(abs);
    // It may have grown between the two calls.
    return bytes.length > ctx.maxFileSize ? { reason: tooLarge(bytes.length, ctx.maxFileSize) } : { bytes };
  } catch (e) {
    return { reason: unreadable(describeError(e)) };
  }
}

/** Counts `paths` (root-relative) in order, calling `done` for each; throws `ScanAborted` when aborted. */
export async function countFiles(ctx: CountContext, paths: readonly string[], done: (outcome: FileOutcome, index: number) => void): Promise<void> {
  const between = async () => {
    throwIfAborted(ctx.signal);
    if (ctx.slicer.due) {
      await ctx.slicer.yield();
      throwIfAborted(ctx.signal);
    }
  };
  const ahead: Promise<Loaded>[] = [];
  let next = 0;
  for (let i = 0; i < paths.length; i++) {
    while (next < paths.length && ahead.length < READ_AHEAD) ahead.push(load(ctx, paths[next++]));
    const loaded = await (ahead.shift() as Promise<Loaded>);
    throwIfAborted(ctx.signal);
    done('bytes' in loaded ? await count(ctx, paths[i], loaded.bytes, between) : { path: paths[i], reason: loaded.reason }, i);
    await between();
  }
}

async function count(ctx: CountContext, path: string, bytes: Uint8Array, between: () => Promise<void>): Promise<FileOutcome> {
  if (isBinary(bytes)) return { path, reason: BINARY };
  const key = ctx.cache ? contentKey(bytes) : undefined;
  let counts = key === undefined ? undefined : ctx.cache?.get(key);
  if (!counts) {
    const text = decodeText(bytes);
    const characters = countCodePoints(text);
    // Decoding a large file takes a slice of its own.
    if (text.length > ctx.pace.window) await between();
    counts = { tokens: await countTokensInSlices(ctx.tokenizer, text, ctx.pace, between), characters };
    if (key !== undefined) ctx.cache?.set(key, counts);
  }
  return { path, file: { path, characters: counts.characters, bytes: bytes.length, tokens: counts.tokens }, key };
}
