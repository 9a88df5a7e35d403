/**
 * The completion cache: the same text hits, typing what a completion predicted hits with the rest of it (no
 * request), also when the prefix window slides far into a file, typing anything else misses, the least
 * recently used entry goes first, and entries do not keep the documents they were cut from.
 */
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CompletionCache, type CacheKey } from '../../src/core/fim/completionCache';

const key = (prefix: string, suffix = '\n', strategy = 'exact', start = 0): CacheKey => ({ strategy, start, prefix, suffix });
const completion = (text: string) => ({ text, strategy: 'exact' });

/** The editor's key at `offset` in `text`: a window of `width` characters before the cursor. */
function windowAt(text: string, offset: number, width: number): CacheKey {
  const start = Math.max(0, offset - width);
  return { strategy: 'exact', start, prefix: text.slice(start, offset), suffix: text.slice(offset, offset + 100) };
}

describe('completion cache', () => {
  it('answers the same text around the cursor', () => {
    const cache = new CompletionCache<{ text: string; strategy: string }>();
    cache.set(key('return s'), completion('um(xs)'));
    assert.deepEqual(cache.lookup(key('return s')), { value: completion('um(xs)') });
    assert.equal(cache.lookup(key('return s', '\nx')), undefined, 'another suffix');
    assert.equal(cache.lookup(key('return s', '\n', 'plain')), undefined, 'another strategy');
    assert.equal(cache.lookup(key('return s', '\n', 'exact', 1)), undefined, 'another place in the document');
  });

  it('answers a typed-ahead character with the rest of the completion, and misses on anything else', () => {
    const cache = new CompletionCache<{ text: string; strategy: string }>();
    cache.set(key('return s'), completion('um(xs)'));
    assert.deepEqual(cache.lookup(key('return su'))?.value, completion('m(xs)'));
    assert.deepEqual(cache.lookup(key('return sum('))?.value, completion('xs)'));
    assert.equal(cache.lookup(key('return sa')), undefined, 'not what was predicted');
    assert.equal(cache.lookup(key('return sum(xs)')), undefined, 'all of it typed: nothing left to show, ask again');
    assert.equal(cache.lookup(key('return su', 'm\n')), undefined, 'the text after the cursor changed');
    assert.equal(cache.lookup(key('return su', '\n\n')), undefined, 'a longer text after the cursor');
    assert.equal(cache.lookup(key('return ')), undefined, 'a shorter prefix is another text');
    // The cached entry itself is untouched by the typed-ahead answers.
    assert.deepEqual(cache.lookup(key('return s'))?.value, completion('um(xs)'));
  });

  it('answers typed-ahead characters when the prefix window slides (far into a file)', () => {
    const width = 24_000;
    const head = Array.from({ length: 3000 }, (_, i) => `x_${i} = ${i}\n`).join('');
    assert.ok(head.length > width + 1000);
    const predicted = 'return sum(xs)';
    const cache = new CompletionCache<{ text: string; strategy: string }>();
    const at = head.length;
    cache.set(windowAt(head, at, width), completion(predicted));
    for (const typed of [1, 4, predicted.length - 1]) {
      const text = head + predicted.slice(0, typed);
      const moved = windowAt(text, at + typed, width);
      assert.equal(moved.start, windowAt(head, at, width).start + typed, 'the window start moved');
      assert.equal(cache.lookup(moved)?.value.text, predicted.slice(typed), `${typed} typed`);
    }
    const other = windowAt(`${head}rx`, at + 2, width);
    assert.equal(cache.lookup(other), undefined, 'not what was predicted');
    const changedEarlier = windowAt(`${head.slice(0, at - 10)}#${head.slice(at - 9)}re`, at + 2, width);
    assert.equal(cache.lookup(changedEarlier), undefined, 'the text before the cursor changed inside the window');
    const back = windowAt(head, at - 1, width);
    assert.equal(cache.lookup(back), undefined, 'a window that starts before the cached one');
    // Typed more than the window: nothing of the cached prefix is left to compare.
    assert.equal(cache.lookup({ ...windowAt(head, at, width), start: windowAt(head, at, width).start + width + 1 }), undefined);
  });

  it('follows the newest completion when several predict the typed text', () => {
    const cache = new CompletionCache<{ text: string }>();
    cache.set(key('a'), completion('bcd'));
    cache.set(key('ab'), completion('cxy'));
    assert.equal(cache.lookup(key('abc'))?.value.text, 'xy');
  });

  it('drops the least recently used entry; a hit makes an entry recent', () => {
    const cache = new CompletionCache<{ text: string }>(2);
    cache.set(key('one'), completion('1'));
    cache.set(key('two'), completion('2'));
    assert.ok(cache.lookup(key('one')));
    cache.set(key('three'), completion('3'));
    assert.equal(cache.lookup(key('two')), undefined, 'the least recently used went');
    assert.ok(cache.lookup(key('one')));
    assert.ok(cache.lookup(key('three')));
    cache.set(key('three'), completion('3b'));
    assert.equal(cache.lookup(key('three'))?.value.text, '3b');
    assert.ok(cache.lookup(key('one')), 'setting a key again replaces it: nothing else went');
    cache.clear();
    assert.equal(cache.lookup(key('one')), undefined);
    assert.equal(cache.lookup(key('three')), undefined);
  });

  it('does not keep the documents its keys were cut from', function () {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as (() => void) | undefined;
    if (typeof gc !== 'function') this.skip();
    const heap = () => {
      gc();
      gc();
      return process.memoryUsage().heapUsed;
    };
    const cache = new CompletionCache<{ text: string }>(64);
    const pad = 'abcdefgh'.repeat(131_072);
    // A distinct 2 MB document each time; the key holds only slices of it, as the editor's does.
    const keyIn = (i: number): CacheKey => windowAt(`${pad}${String(i).padStart(2, '0')};${pad}`, pad.length + 3, 24_000);
    const before = heap();
    for (let i = 0; i < 32; i++) cache.set(keyIn(i), completion(String(i)));
    const grown = heap() - before;
    assert.ok(grown < 16 * 2 ** 20, `32 entries of 24,100 characters hold ${(grown / 2 ** 20).toFixed(1)} MB`);
    for (const i of [0, 31]) assert.equal(cache.lookup(keyIn(i))?.value.text, String(i), 'the entries are kept');
  });
});
