/**
 * Byte-pair merging of one pre-tokenized piece. Two rule sets share one algorithm:
 * - tiktoken: merge the adjacent pair whose concatenated bytes have the lowest rank (the rank is the id);
 * - Hugging Face: merge the adjacent pair listed earliest in `merges` (the result is a vocabulary id).
 * Ties go to the leftmost pair in both, so one algorithm serves both. Short pieces use a scan of the
 * pair ranks (fast for the few bytes most pieces have); long ones a binary heap over a linked list, so
 * that a megabyte without a space costs O(n log n), not the O(n²) of tiktoken and its ports.
 */
import type { ByteVocab } from './byteVocab';

export const NO_MERGE = 0x7fffffff;

export interface MergeRules {
  /**
   * The rank of merging two adjacent parts, `buf[a..b)` with id `left` and `buf[b..c)` with id `right`,
   * or NO_MERGE; the id of the merged part is left in `merged`.
   */
  rank(buf: Uint8Array, a: number, c: number, left: number, right: number): number;
  merged: number;
}

/** tiktoken's rule: the rank of a byte string is its id. */
export class RankRules implements MergeRules {
  merged = -1;
  constructor(private readonly vocab: ByteVocab) {}
  rank(buf: Uint8Array, a: number, c: number): number {
    const id = this.vocab.lookup(buf, a, c);
    this.merged = id;
    return id < 0 ? NO_MERGE : id;
  }
}

/** Hugging Face's rule: a table from (left id, right id) to (merge rank, merged id). */
export class PairRules implements MergeRules {
  merged = -1;
  private readonly lefts: Int32Array;
  private readonly rights: Int32Array;
  private readonly ranks: Int32Array;
  private readonly results: Int32Array;
  private readonly mask: number;

  /** `pairs[2r]`, `pairs[2r + 1]` are the ids merged by rule r; `results[r]` is the id they become. */
  constructor(pairs: Uint32Array, results: Uint32Array) {
    let capacity = 1;
    while (capacity < results.length * 2) capacity <<= 1;
    this.mask = capacity - 1;
    this.lefts = new Int32Array(capacity).fill(-1);
    this.rights = new Int32Array(capacity);
    this.ranks = new Int32Array(capacity);
    this.results = new Int32Array(capacity);
    for (let r = 0; r < results.length; r++) {
      const left = pairs[2 * r];
      const right = pairs[2 * r + 1];
      let slot = pairHash(left, right) & this.mask;
      for (;;) {
        if (this.lefts[slot] < 0) break;
        if (this.lefts[slot] === left && this.rights[slot] === right) break; // the first rule wins
        slot = (slot + 1) & this.mask;
      }
      if (this.lefts[slot] >= 0) continue;
      this.lefts[slot] = left;
      this.rights[slot] = right;
      this.ranks[slot] = r;
      this.results[slot] = results[r];
    }
  }

  rank(_buf: Uint8Array, _a: number, _c: number, left: number, right: number): number {
    let slot = pairHash(left, right) & this.mask;
    for (;;) {
      const l = this.lefts[slot];
      if (l < 0) return NO_MERGE;
      if (l === left && this.rights[slot] === right) {
        this.merged = this.results[slot];
        return this.ranks[slot];
      }
      slot = (slot + 1) & this.mask;
    }
  }
}

function pairHash(left: number, right: number): number {
  return Math.imul(left ^ Math.imul(right, 0x9e3779b1), 0x85ebca6b) ^ (right >>> 7);
}

const SCAN_LIMIT = 48;

/**
 * Merges `buf[start..end)`, whose initial parts are single bytes with ids `byteIds[b]`, and appends the
 * resulting ids and byte lengths to `out`. Returns the number of tokens appended.
 */
export function mergePiece(
  rules: MergeRules,
  byteIds: Int32Array,
  buf: Uint8Array,
  start: number,
  end: number,
  out: TokenSink,
): number {
  const n = end - start;
  if (n === 1) {
    out.push(byteIds[buf[start]], 1);
    return 1;
  }
  return n <= SCAN_LIMIT ? mergeByScan(rules, byteIds, buf, start, end, out) : mergeByHeap(rules, byteIds, buf, start, end, out);
}

/** Where merged tokens go: an id and its length in bytes. */
export interface TokenSink {
  push(id: number, byteLength: number): void;
}

// Scratch arrays for the scan, reused across calls.
const pos = new Int32Array(SCAN_LIMIT + 1);
const ids = new Int32Array(SCAN_LIMIT);
const ranks = new Int32Array(SCAN_LIMIT);
const mergedIds = new Int32Array(SCAN_LIMIT);

function mergeByScan(rules: MergeRules, byteIds: Int32Array, buf: Uint8Array, start: number, end: number, out: TokenSink): number {
  let m = end - start;
  for (let i = 0; i < m; i++) {
    pos[i] = start + i;
    ids[i] = byteIds[buf[start + i]];
  }
  pos[m] = end;
  for (let i = 0; i + 1 < m; i++) {
    ranks[i] = rules.rank(buf, pos[i], pos[i + 2], ids[i], ids[i + 1]);
    mergedIds[i] = rules.merged;
  }
  while (m > 1) {
    let best = NO_MERGE;
    let at = -1;
    for (let i = 0; i + 1 < m; i++) {
      if (ranks[i] < best) {
        best = ranks[i];
        at = i;
      }
    }
    if (at < 0) break;
    ids[at] = mergedIds[at];
    // Remove part at+1.
    for (let i = at + 1; i < m; i++) {
      pos[i] = pos[i + 1];
      ids[i] = ids[i + 1];
    }
    for (let i = at + 1; i + 1 < m - 1; i++) {
      ranks[i] = ranks[i + 1];
      mergedIds[i] = mergedIds[i + 1];
    }
    m--;
    if (at + 1 < m) {
      ranks[at] = rules.rank(buf, pos[at], pos[at + 2], ids[at], ids[at + 1]);
      mergedIds[at] = rules.merged;
    }
    if (at > 0) {
      ranks[at - 1] = rules.rank(buf, pos[at - 1], pos[at + 1], ids[at - 1], ids[at]);
      mergedIds[at - 1] = rules.merged;
    }
  }
  for (let i = 0; i < m; i++) out.push(ids[i], pos[i + 1] - pos[i]);
  return m;
}

function mergeByHeap(rules: MergeRules, byteIds: Int32Array, buf: Uint8Array, start: number, end: number, out: TokenSink): number {
  const n = end - start;
  // Parts form a linked list over byte positions; a removed part has partEnd = -1.
  const partEnd = new Int32Array(n);
  const prev = new Int32Array(n);
  const partId = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    partEnd[i] = i + 1;
    prev[i] = i - 1;
    partId[i] = byteIds[buf[start + i]];
  }
  const heap = new PairHeap(n);
  const push = (i: number) => {
    const j = partEnd[i];
    if (j >= n) return;
    const r = rules.rank(buf, start + i, start + partEnd[j], partId[i], partId[j]);
    if (r !== NO_MERGE) heap.push(r, i, partEnd[j], rules.merged);
  };
  for (let i = 0; i + 1 < n; i++) push(i);
  while (heap.size > 0) {
    heap.pop();
    const i = heap.topPos;
    const j = partEnd[i];
    // Skip entries made stale by an earlier merge: the pair no longer spans the same bytes.
    if (j < 0 || j >= n || partEnd[j] !== heap.topEnd) continue;
    partId[i] = heap.topMerged;
    partEnd[i] = partEnd[j];
    partEnd[j] = -1;
    if (partEnd[i] < n) prev[partEnd[i]] = i;
    push(i);
    if (prev[i] >= 0) push(prev[i]);
  }
  let count = 0;
  for (let i = 0; i < n; i = partEnd[i]) {
    out.push(partId[i], partEnd[i] - i);
    count++;
  }
  return count;
}

/** A binary min-heap of candidate merges ordered by (rank, position). */
class PairHeap {
  size = 0;
  topPos = 0;
  topEnd = 0;
  topMerged = 0;
  private rank: Int32Array;
  private pos: Int32Array;
  private end: Int32Array;
  private merged: Int32Array;

  constructor(capacity: number) {
    this.rank = new Int32Array(capacity);
    this.pos = new Int32Array(capacity);
    this.end = new Int32Array(capacity);
    this.merged = new Int32Array(capacity);
  }

  push(rank: number, pos: number, end: number, merged: number): void {
    if (this.size === this.rank.length) this.grow();
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(rank, pos, parent)) break;
      this.move(parent, i);
      i = parent;
    }
    this.rank[i] = rank;
    this.pos[i] = pos;
    this.end[i] = end;
    this.merged[i] = merged;
  }

  /** Removes the smallest entry into topPos/topEnd/topMerged. */
  pop(): void {
    this.topPos = this.pos[0];
    this.topEnd = this.end[0];
    this.topMerged = this.merged[0];
    const last = --this.size;
    const rank = this.rank[last];
    const pos = this.pos[last];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= last) break;
      if (child + 1 < last && this.lessAt(child + 1, child)) child++;
      if (!this.less(this.rank[child], this.pos[child], i, rank, pos)) break;
      this.move(child, i);
      i = child;
    }
    this.rank[i] = rank;
    this.pos[i] = pos;
    this.end[i] = this.end[last];
    this.merged[i] = this.merged[last];
  }

  /** Is (rank, pos) smaller than entry `j` (or than the given pair when one is passed)? */
  private less(rank: number, pos: number, j: number, jRank = this.rank[j], jPos = this.pos[j]): boolean {
    return rank < jRank || (rank === jRank && pos < jPos);
  }

  private lessAt(a: number, b: number): boolean {
    return this.less(this.rank[a], this.pos[a], b);
  }

  private move(from: number, to: number): void {
    this.rank[to] = this.rank[from];
    this.pos[to] = this.pos[from];
    this.end[to] = this.end[from];
    this.merged[to] = this.merged[from];
  }

  private grow(): void {
    const grow = (a: Int32Array) => {
      const b = new Int32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.rank = grow(this.rank);
    this.pos = grow(this.pos);
    this.end = grow(this.end);
    this.merged = grow(this.merged);
  }
}
