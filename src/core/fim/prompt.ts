/**
 * A FIM prompt as token ids in the model's own vocabulary: sentinels as their special ids, the user's text
 * encoded with special-token parsing off, cut at line boundaries to fit the context (the text nearest the
 * cursor kept first), extra files first and in a stable order so that a backend's prompt cache is reused.
 * For the exact and heal strategies the prompt's prefix ends at the anchor, and the bytes from the anchor
 * to the cursor come back separately as the tail the middle must start with.
 */
import type { Tokenizer } from '../tokenizers/types';
import { utf8 } from '../text/utf8';
import { findAnchor } from './anchor';
import { addsLeadingSpace, encodeUserText } from './encodeText';
import type { FimTemplate, SentinelRole } from './templates';

export type FimStrategy = 'plain' | 'exact' | 'heal';

export interface ExtraFile {
  path: string;
  text: string;
}

export interface FimPromptInput {
  template: FimTemplate;
  /** The model's own tokenizer (for a GGUF model, `tokenizerFromGguf`). */
  tokenizer: Tokenizer;
  /** Sentinel ids by role, as `checkTemplate` resolved them. */
  sentinelIds: Partial<Record<SentinelRole, number>>;
  /** The document before and after the cursor. */
  prefix: string;
  suffix: string;
  /**
   * Other files for context, in the order they should appear (keep it stable from request to request);
   * when they do not all fit, the last ones are dropped, whole.
   */
  extraFiles?: readonly ExtraFile[];
  /** Repository-level templates: the repository's name and the current file's path. */
  repoName?: string;
  currentPath?: string;
  contextSize: number;
  /** Tokens kept free for the completion. */
  reservedOutput: number;
  /** `plain` (default): the prefix ends at the cursor. `exact`, `heal`: it ends at the anchor. */
  strategy?: FimStrategy;
  /** The model's control-token ids: user text never produces them. */
  specialIds?: Iterable<number>;
  /** Shares of the room for text that the prefix and the suffix get before extra files (0.6 and 0.2). */
  prefixShare?: number;
  suffixShare?: number;
  signal?: AbortSignal;
}

export interface FimPrompt {
  ids: Uint32Array;
  /** Where the kept prefix starts in `prefix` (0: all of it). */
  prefixCut: number;
  /** Where the kept suffix ends in `suffix` (`suffix.length`: all of it). */
  suffixCut: number;
  /** Where the prompt's prefix ends in `prefix`: the cursor for `plain`, the anchor otherwise. */
  prefixEnd: number;
  /** UTF-8 bytes from `prefixEnd` to the cursor: what the middle must start with (empty for `plain`). */
  tail: Uint8Array;
  filesKept: string[];
  filesDropped: string[];
  /** Special-token texts in the user's text that were kept as plain text. */
  escaped: number;
  /** Tokens by part. */
  counts: { sentinels: number; files: number; prefix: number; suffix: number };
}

export class FimPromptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FimPromptError';
  }
}

export function buildFimPrompt(input: FimPromptInput): FimPrompt {
  const { template, tokenizer, sentinelIds: sid, prefix, suffix } = input;
  const strategy = input.strategy ?? 'plain';
  const signal = input.signal;
  const roles: SentinelRole[] = [...template.required];
  const missing = roles.filter((r) => sid[r] === undefined);
  if (missing.length) throw new FimPromptError(`${template.name}: no token id for ${missing.join(', ')}`);
  const forbiddenIds = new Set<number>([...Object.values(sid).filter((v): v is number => v !== undefined), ...(input.specialIds ?? [])]);
  const forbidden = (id: number) => forbiddenIds.has(id) || tokenizer.specialToken(id) !== undefined;
  // Escapes are counted once the encodings are final: the cutting below encodes candidates it then drops.
  let filesEscaped = 0;
  let lastEscaped = 0;
  const user = (text: string, continuing: boolean): Uint32Array => {
    const e = encodeUserText(tokenizer, text, continuing, forbidden);
    lastEscaped = e.escaped;
    return e.ids;
  };
  const fileUser = (text: string, continuing: boolean): Uint32Array => {
    const ids = user(text, continuing);
    filesEscaped += lastEscaped;
    return ids;
  };

  // Extra files: chunks in order, each with its tokens, all before the prefix text.
  const files = input.extraFiles ?? [];
  const layout = template.files;
  const sep = sid.fileSeparator;
  const filesUsable = files.length > 0 && (layout.kind === 'text' || sep !== undefined);
  const textFiles = filesUsable && layout.kind === 'text';
  const chunks: Uint32Array[] = [];
  let filesHeader: Uint32Array[] = [];
  if (filesUsable) {
    files.forEach((f, i) => {
      if (layout.kind === 'sentinel') chunks.push(concat([[sep as number], fileUser(`${f.path}\n${f.text}${layout.fileAfter}`, true)]));
      else if (layout.kind === 'trailing-separator') chunks.push(concat([fileUser(`${f.path}\n${f.text}`, i > 0), [sep as number]]));
      else chunks.push(fileUser(`${layout.header}${f.path}\n${f.text}\n\n`, i > 0));
    });
    if (layout.kind === 'sentinel') {
      const repo = input.repoName !== undefined && sid.repoName !== undefined ? [concat([[sid.repoName], fileUser(input.repoName + layout.repoAfter, true)])] : [];
      filesHeader = [...repo, concat([[sep as number], fileUser(`${input.currentPath ?? 'untitled'}\n`, true)])];
    }
  }
  signal?.throwIfAborted();

  const bos = template.bos && sid.bos !== undefined ? 1 : 0;
  const sentinels = bos + 2 + (template.layout === 'sp' ? 0 : 1);
  const headerSize = filesHeader.reduce((s, c) => s + c.length, 0);
  const room = input.contextSize - input.reservedOutput - sentinels;
  if (room < 0) throw new FimPromptError(`the context (${input.contextSize}) cannot hold ${input.reservedOutput} output tokens and the ${sentinels} sentinels`);

  // The prefix is encoded as the first text of its segment unless text files come before it.
  const prefixContinuing = textFiles;
  const prefixSpans = tokenizer.tokenize(prefix);
  const suffixSpans = tokenizer.tokenize(suffix);
  // Whole sizes as the prompt encodes them (escaped special-token text takes more tokens than the spans).
  const prefixFull = Math.max(prefixSpans.ids.length, user(prefix, prefixContinuing).length);
  const suffixFull = Math.max(suffixSpans.ids.length, user(suffix, true).length);
  let prefixBudget = Math.min(prefixFull, Math.floor(room * (input.prefixShare ?? 0.6)));
  let suffixBudget = Math.min(suffixFull, Math.floor(room * (input.suffixShare ?? 0.2)));

  // Files fill what the local context leaves, in order; the first that does not fit ends the list, so the
  // kept files are always a leading run of the list and the prompt's start changes as little as possible.
  let filesSize = 0;
  let kept = 0;
  const fileRoom = room - prefixBudget - suffixBudget - headerSize;
  for (const c of chunks) {
    if (filesSize + c.length > fileRoom) break;
    filesSize += c.length;
    kept++;
  }
  if (kept > 0) filesSize += headerSize;
  let left = room - filesSize - prefixBudget - suffixBudget;
  const morePrefix = Math.min(left, prefixFull - prefixBudget);
  prefixBudget += morePrefix;
  left -= morePrefix;
  suffixBudget += Math.min(left, suffixFull - suffixBudget);
  signal?.throwIfAborted();

  const encodePrefix = (text: string) => user(text, prefixContinuing);
  const encodeSuffix = (text: string) => user(text, true);

  // Prefix: the latest line start whose text fits (estimated from the whole encoding, then checked).
  const prefixStarts = lineStarts(prefix);
  let prefixCut = prefix.length;
  let prefixIds: Uint32Array = new Uint32Array(0);
  let prefixEscaped = 0;
  const estimateFrom = (at: number) => prefixSpans.ids.length - firstAtOrAfter(prefixSpans.starts, at);
  let li = firstIndex(prefixStarts.length, (i) => estimateFrom(prefixStarts[i]) <= prefixBudget);
  for (; li < prefixStarts.length; li++) {
    const ids = encodePrefix(prefix.slice(prefixStarts[li]));
    if (ids.length <= prefixBudget) {
      prefixCut = prefixStarts[li];
      prefixIds = ids;
      prefixEscaped = lastEscaped;
      break;
    }
  }
  if (prefixCut === prefix.length && prefix.length > 0 && prefixBudget > 0) {
    // Even the cursor's line is too long: cut inside it, at a token start.
    for (let k = firstAtOrAfter(prefixSpans.starts, prefixStarts[prefixStarts.length - 1]); k < prefixSpans.ids.length; k++) {
      if (k > 0 && prefixSpans.starts[k] < prefixSpans.ends[k - 1]) continue;
      if (prefixSpans.ids.length - k > prefixBudget) continue;
      const ids = encodePrefix(prefix.slice(prefixSpans.starts[k]));
      if (ids.length <= prefixBudget) {
        prefixCut = prefixSpans.starts[k];
        prefixIds = ids;
        prefixEscaped = lastEscaped;
        break;
      }
    }
  }
  signal?.throwIfAborted();

  // Suffix: the latest line end whose text fits, with what the prefix left unused.
  suffixBudget += prefixBudget - prefixIds.length;
  const ends = lineEnds(suffix);
  let suffixCut = 0;
  let suffixIds: Uint32Array = new Uint32Array(0);
  let suffixEscaped = 0;
  const estimateTo = (at: number) => firstAtOrAfter(suffixSpans.ends, at + 1);
  let ei = firstIndex(ends.length, (i) => estimateTo(ends[i]) > suffixBudget) - 1;
  for (; ei >= 0; ei--) {
    const ids = encodeSuffix(suffix.slice(0, ends[ei]));
    if (ids.length <= suffixBudget) {
      suffixCut = ends[ei];
      suffixIds = ids;
      suffixEscaped = lastEscaped;
      break;
    }
  }

  // The tail: the exact and heal strategies end the prompt's prefix at the anchor.
  let prefixEnd = prefix.length;
  let tail: Uint8Array = new Uint8Array(0);
  if (strategy !== 'plain' && prefixCut < prefix.length) {
    const keptText = prefix.slice(prefixCut);
    const anchor = findAnchor(tokenizer, keptText);
    prefixEnd = prefixCut + anchor.offset;
    tail = utf8(prefix.slice(prefixEnd));
    const head = keptText.slice(0, anchor.offset);
    const ids = encodePrefix(head);
    prefixEscaped = lastEscaped;
    // The anchor's head is the canonical encoding of the kept text; use it where the prompt encodes alike.
    const sameWay = !prefixContinuing || !addsLeadingSpace(tokenizer);
    prefixIds = sameWay && lastEscaped === 0 && !anchor.head.some(forbidden) ? anchor.head : ids;
  }

  const ids: number[] = [];
  const push = (part: ArrayLike<number>) => {
    for (let i = 0; i < part.length; i++) ids.push(part[i]);
  };
  if (bos) ids.push(sid.bos as number);
  const keptFiles = chunks.slice(0, kept);
  if (kept > 0 && !textFiles) {
    for (const h of filesHeader.slice(0, -1)) push(h);
    for (const c of keptFiles) push(c);
    push(filesHeader[filesHeader.length - 1] ?? []);
  }
  const prefixPart = () => {
    if (textFiles) for (const c of keptFiles) push(c);
    push(prefixIds);
  };
  if (template.layout === 'psm') {
    ids.push(sid.prefix as number);
    prefixPart();
    ids.push(sid.suffix as number);
    push(suffixIds);
    ids.push(sid.middle as number);
  } else if (template.layout === 'spm') {
    ids.push(sid.prefix as number, sid.suffix as number);
    push(suffixIds);
    ids.push(sid.middle as number);
    prefixPart();
  } else {
    ids.push(sid.suffix as number);
    push(suffixIds);
    ids.push(sid.prefix as number);
    prefixPart();
  }
  return {
    ids: Uint32Array.from(ids),
    prefixCut,
    suffixCut,
    prefixEnd,
    tail,
    filesKept: files.slice(0, filesUsable ? kept : 0).map((f) => f.path),
    filesDropped: files.slice(filesUsable ? kept : 0).map((f) => f.path),
    escaped: (kept > 0 ? filesEscaped : 0) + prefixEscaped + suffixEscaped,
    counts: { sentinels, files: filesSize, prefix: prefixIds.length, suffix: suffixIds.length },
  };
}

function concat(parts: ArrayLike<number>[]): Uint32Array {
  const out = new Uint32Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Offsets where lines start: 0 and after every `\n`. */
function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = text.indexOf('\n'); i >= 0 && i + 1 < text.length; i = text.indexOf('\n', i + 1)) out.push(i + 1);
  return out;
}

/** Offsets where lines end, each `\n` included, and the text's end. */
function lineEnds(text: string): number[] {
  const out: number[] = [];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) out.push(i + 1);
  if (out[out.length - 1] !== text.length) out.push(text.length);
  return out;
}

function firstAtOrAfter(sorted: ArrayLike<number>, at: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index in [0, n) where a monotone predicate holds (n if none). */
function firstIndex(n: number, holds: (i: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (holds(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
