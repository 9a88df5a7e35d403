/**
 * Stop sequences over a stream of tokens, matched on bytes. Tokens that might begin a stop sequence are held
 * back until it is clear they do not, so nothing after a stop sequence is ever emitted. When a stop sequence
 * starts inside a token, that token's bytes before it come out as a piece without an id.
 */
import { concatBytes } from '../text/bytes';

export interface StopPiece {
  id?: number;
  bytes: Uint8Array;
}

const utf8 = new TextEncoder();

export class StopMatcher {
  private readonly stops: Uint8Array[];
  private pending: StopPiece[] = [];

  constructor(stops: readonly string[] = []) {
    this.stops = stops.filter((s) => s.length > 0).map((s) => utf8.encode(s));
  }

  /** Adds a token; returns the pieces now safe to emit and whether a stop sequence was reached. */
  push(id: number, bytes: Uint8Array): { emit: StopPiece[]; stopped: boolean } {
    if (this.stops.length === 0) return { emit: [{ id, bytes }], stopped: false };
    this.pending.push({ id, bytes });
    const held = concatBytes(this.pending.map((p) => p.bytes));
    const match = this.firstMatch(held);
    if (match >= 0) return { emit: this.take(match, true), stopped: true };
    return { emit: this.take(this.firstPartial(held), false), stopped: false };
  }

  /** What is still held back, at the end of the stream. */
  flush(): StopPiece[] {
    const rest = this.pending;
    this.pending = [];
    return rest;
  }

  /** Emits the pending pieces that end at or before `cut`; with `cutInside`, also the part of the next before it. */
  private take(cut: number, cutInside: boolean): StopPiece[] {
    const out: StopPiece[] = [];
    let offset = 0;
    while (this.pending.length > 0 && offset + this.pending[0].bytes.length <= cut) {
      const piece = this.pending.shift()!;
      offset += piece.bytes.length;
      out.push(piece);
    }
    if (cutInside) {
      if (cut > offset && this.pending.length > 0) out.push({ bytes: this.pending[0].bytes.slice(0, cut - offset) });
      this.pending = [];
    }
    return out;
  }

  /** The earliest position where a whole stop sequence occurs, or -1. */
  private firstMatch(held: Uint8Array): number {
    let best = -1;
    for (const stop of this.stops) {
      const at = indexOf(held, stop);
      if (at >= 0 && (best < 0 || at < best)) best = at;
    }
    return best;
  }

  /** The earliest position from which the held bytes are a proper prefix of some stop sequence (else their length). */
  private firstPartial(held: Uint8Array): number {
    for (let start = 0; start < held.length; start++) {
      const tail = held.length - start;
      if (this.stops.some((stop) => tail < stop.length && startsWith(stop, held, start))) return start;
    }
    return held.length;
  }
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** Whether `stop` begins with `held[start..]`. */
function startsWith(stop: Uint8Array, held: Uint8Array, start: number): boolean {
  for (let i = start; i < held.length; i++) if (stop[i - start] !== held[i]) return false;
  return true;
}
