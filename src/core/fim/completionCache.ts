/**
 * Completions kept by the text around the cursor, least recently used dropped first. Besides the same text
 * again (an undo, a deleted character), a lookup also answers when the user typed the start of a cached
 * completion: the rest of it is the completion, with no request to the model.
 */

export interface CacheKey {
  strategy: string;
  /** Where `prefix` starts in the document: far into a file the window slides as the user types. */
  start: number;
  /** The document before and after the cursor, as sent to the model. */
  prefix: string;
  suffix: string;
}

export interface CacheHit<T> {
  value: T;
}

interface Entry<T> {
  strategy: string;
  start: number;
  /** Where the prefix starts and ends in the entry's id; the suffix follows it after one separator. */
  prefixAt: number;
  prefixEnd: number;
  value: T;
}

export class CompletionCache<T extends { text: string }> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(private readonly capacity = 64) {}

  lookup(key: CacheKey): CacheHit<T> | undefined {
    const id = idOf(key);
    const entry = this.entries.get(id);
    if (entry) {
      this.touch(id, entry);
      return { value: entry.value };
    }
    // The newest first: after a few keystrokes the latest completion is the one the user is following.
    for (const [cachedId, cached] of [...this.entries].reverse()) {
      const shift = key.start - cached.start;
      if (cached.strategy !== key.strategy || shift < 0 || shift > cached.prefixEnd - cached.prefixAt) continue;
      // Compared with ===, many times faster than startsWith on strings this long.
      if (cachedId.slice(cached.prefixEnd + 1) !== key.suffix) continue;
      // The cached prefix as the new window sees it: what slid out of the window is not compared.
      const seen = cachedId.slice(cached.prefixAt + shift, cached.prefixEnd);
      if (key.prefix.length <= seen.length || key.prefix.slice(0, seen.length) !== seen) continue;
      const typed = key.prefix.slice(seen.length);
      const { value } = cached;
      if (value.text.length > typed.length && value.text.startsWith(typed)) {
        this.touch(cachedId, cached);
        return { value: { ...value, text: value.text.slice(typed.length) } };
      }
    }
    return undefined;
  }

  set(key: CacheKey, value: T): void {
    const id = idOf(key);
    const prefixAt = key.strategy.length + String(key.start).length + 2;
    this.entries.delete(id);
    this.entries.set(id, { strategy: key.strategy, start: key.start, prefixAt, prefixEnd: prefixAt + key.prefix.length, value });
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }

  clear(): void {
    this.entries.clear();
  }

  private touch(id: string, entry: Entry<T>): void {
    this.entries.delete(id);
    this.entries.set(id, entry);
  }
}

/** A new flat string (join copies): the caller's prefix and suffix are slices that keep the whole document alive. */
function idOf(key: CacheKey): string {
  return [key.strategy, key.start, key.prefix, key.suffix].join('\u0000');
}
