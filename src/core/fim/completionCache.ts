/**
 * Completions kept by the text around the cursor, least recently used dropped first. Besides the same text
 * again (an undo, a deleted character), a lookup also answers when the user typed the start of a cached
 * completion: the rest of it is the completion, with no request to the model.
 */

export interface CacheKey {
  strategy: string;
  /** The document before and after the cursor, as sent to the model. */
  prefix: string;
  suffix: string;
}

export interface CacheHit<T> {
  value: T;
  /** `exact`: the same text; `typed-ahead`: the user typed the first `typed` characters of a cached one. */
  kind: 'exact' | 'typed-ahead';
  typed: number;
}

export class CompletionCache<T extends { text: string }> {
  private readonly entries = new Map<string, { key: CacheKey; value: T }>();

  constructor(private readonly capacity = 64) {}

  get size(): number {
    return this.entries.size;
  }

  lookup(key: CacheKey): CacheHit<T> | undefined {
    const id = idOf(key);
    const entry = this.entries.get(id);
    if (entry) {
      this.touch(id, entry);
      return { value: entry.value, kind: 'exact', typed: 0 };
    }
    // The newest first: after a few keystrokes the latest completion is the one the user is following.
    for (const [cachedId, cached] of [...this.entries].reverse()) {
      const { key: k, value } = cached;
      if (k.strategy !== key.strategy || k.suffix !== key.suffix || key.prefix.length <= k.prefix.length || !key.prefix.startsWith(k.prefix)) continue;
      const typed = key.prefix.slice(k.prefix.length);
      if (value.text.length > typed.length && value.text.startsWith(typed)) {
        this.touch(cachedId, cached);
        return { value: { ...value, text: value.text.slice(typed.length) }, kind: 'typed-ahead', typed: typed.length };
      }
    }
    return undefined;
  }

  set(key: CacheKey, value: T): void {
    const id = idOf(key);
    this.entries.delete(id);
    this.entries.set(id, { key, value });
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }

  clear(): void {
    this.entries.clear();
  }

  private touch(id: string, entry: { key: CacheKey; value: T }): void {
    this.entries.delete(id);
    this.entries.set(id, entry);
  }
}

function idOf(key: CacheKey): string {
  return `${key.strategy}\u0000${key.prefix}\u0000${key.suffix}`;
}
