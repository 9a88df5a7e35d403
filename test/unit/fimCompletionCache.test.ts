/**
 * The completion cache: the same text hits, typing what a completion predicted hits with the rest of it (no
 * request), typing anything else misses, and the least recently used entry goes first.
 */
import assert from 'node:assert/strict';
import { CompletionCache, type CacheKey } from '../../src/core/fim/completionCache';

const key = (prefix: string, suffix = '\n', strategy = 'exact'): CacheKey => ({ strategy, prefix, suffix });
const completion = (text: string) => ({ text, strategy: 'exact' });

describe('completion cache', () => {
  it('answers the same text around the cursor', () => {
    const cache = new CompletionCache<{ text: string }>();
    cache.set(key('return s'), completion('um(xs)'));
    assert.deepEqual(cache.lookup(key('return s')), { value: completion('um(xs)'), kind: 'exact', typed: 0 });
    assert.equal(cache.lookup(key('return s', '\nx')), undefined, 'another suffix');
    assert.equal(cache.lookup(key('return s', '\n', 'plain')), undefined, 'another strategy');
  });

  it('answers a typed-ahead character with the rest of the completion, and misses on anything else', () => {
    const cache = new CompletionCache<{ text: string; strategy: string }>();
    cache.set(key('return s'), completion('um(xs)'));
    assert.deepEqual(cache.lookup(key('return su')), { value: completion('m(xs)'), kind: 'typed-ahead', typed: 1 });
    assert.deepEqual(cache.lookup(key('return sum(')), { value: completion('xs)'), kind: 'typed-ahead', typed: 3 });
    assert.equal(cache.lookup(key('return sa')), undefined, 'not what was predicted');
    assert.equal(cache.lookup(key('return sum(xs)')), undefined, 'all of it typed: nothing left to show, ask again');
    assert.equal(cache.lookup(key('return su', 'm\n')), undefined, 'the text after the cursor changed');
    assert.equal(cache.lookup(key('return ')), undefined, 'a shorter prefix is another text');
    // The cached entry itself is untouched by the typed-ahead answers.
    assert.deepEqual(cache.lookup(key('return s'))?.value, completion('um(xs)'));
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
    assert.equal(cache.size, 2);
    assert.equal(cache.lookup(key('two')), undefined, 'the least recently used went');
    assert.ok(cache.lookup(key('one')));
    assert.ok(cache.lookup(key('three')));
    cache.set(key('three'), completion('3b'));
    assert.equal(cache.size, 2, 'setting a key again replaces it');
    assert.equal(cache.lookup(key('three'))?.value.text, '3b');
    cache.clear();
    assert.equal(cache.size, 0);
  });
});
