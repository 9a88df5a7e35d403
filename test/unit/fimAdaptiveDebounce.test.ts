/**
 * The adaptive debounce: the wait follows the typing rhythm and the backend's latency, between the floor and
 * the configured ceiling; times are given, so every case is deterministic.
 */
import assert from 'node:assert/strict';
import { AdaptiveDebounce, LATENCY_SHARE, PAUSE_FACTOR } from '../../src/core/fim/adaptiveDebounce';

/** Keystrokes at these gaps, starting at t = 1000; returns the time of the last one. */
function typeWithGaps(d: AdaptiveDebounce, gaps: number[], start = 1000): number {
  let t = start;
  d.keystroke(t);
  for (const g of gaps) d.keystroke((t += g));
  return t;
}

describe('adaptive debounce', () => {
  it('waits the ceiling before it knows the rhythm', () => {
    const d = new AdaptiveDebounce();
    assert.equal(d.delay(150), 150);
    typeWithGaps(d, [60, 60]);
    assert.equal(d.delay(150), 150, 'two gaps are not a rhythm yet');
  });

  it('follows a fast typist: a pause is 1.5 times the usual gap, below the ceiling', () => {
    const d = new AdaptiveDebounce();
    typeWithGaps(d, [60, 70, 80, 60, 70]);
    assert.equal(d.delay(300), PAUSE_FACTOR * 70);
  });

  it('never asks in the middle of a slow burst: the ceiling caps, the median ignores one quick pair', () => {
    const d = new AdaptiveDebounce();
    typeWithGaps(d, [250, 20, 260, 240, 270]);
    assert.equal(d.delay(300), 300);
  });

  it('keeps to the floor for a very fast typist, and the ceiling wins over the floor', () => {
    const d = new AdaptiveDebounce({ floorMs: 40 });
    typeWithGaps(d, [10, 12, 8, 10]);
    assert.equal(d.delay(150), 40);
    assert.equal(d.delay(25), 25);
    assert.equal(d.delay(0), 0, '0 asks at once');
    assert.equal(d.delay(-5), 0);
  });

  it('does not count pauses (gaps longer than a burst) as the rhythm', () => {
    const d = new AdaptiveDebounce({ burstGapMs: 1000 });
    typeWithGaps(d, [80, 5000, 80, 80, 3000, 80]);
    assert.equal(d.delay(300), PAUSE_FACTOR * 80);
  });

  it('waits longer when the backend is slow, up to the ceiling', () => {
    const d = new AdaptiveDebounce();
    typeWithGaps(d, [60, 60, 60, 60]);
    assert.equal(d.delay(300), 90);
    for (const ms of [800, 800, 800]) d.latency(ms);
    assert.equal(d.delay(300), LATENCY_SHARE * 800);
    for (const ms of [2000, 2000, 2000, 2000]) d.latency(ms);
    assert.equal(d.delay(300), 300);
  });

  it('a fast backend does not shorten the wait below the rhythm; odd latencies are ignored', () => {
    const d = new AdaptiveDebounce();
    typeWithGaps(d, [100, 100, 100]);
    d.latency(20);
    d.latency(Number.NaN);
    d.latency(-1);
    assert.equal(d.delay(500), 150);
  });

  it('counts the wait from the last keystroke, not from when the editor asks', () => {
    const d = new AdaptiveDebounce();
    const last = typeWithGaps(d, [60, 60, 60]);
    assert.equal(d.remaining(300, last), 90);
    assert.equal(d.remaining(300, last + 50), 40);
    assert.equal(d.remaining(300, last + 500), 0);
    assert.equal(new AdaptiveDebounce().remaining(120, 5), 120, 'no keystroke seen: the whole wait');
  });

  it('waits the whole delay, never under the floor, when no keystroke came just before (a paste, a cursor move)', () => {
    const d = new AdaptiveDebounce({ floorMs: 30, burstGapMs: 1000 });
    const last = typeWithGaps(d, [60, 60, 60]);
    assert.equal(d.remaining(300, last + 1000), 0, 'within a burst gap: the delay has passed');
    assert.equal(d.remaining(300, last + 1001), 90, 'longer ago than a burst gap: not this keystroke\'s request');
    assert.equal(d.remaining(300, last + 60_000), 90);
    const fast = new AdaptiveDebounce({ floorMs: 30 });
    const t = typeWithGaps(fast, [5, 5, 5, 5]);
    assert.equal(fast.remaining(150, t + 5_000), 30, 'the floor');
  });

  it('remembers only recent gaps: a typist who slows down is followed', () => {
    const d = new AdaptiveDebounce({ history: 4 });
    typeWithGaps(d, [50, 50, 50, 50, 200, 200, 200, 200]);
    assert.equal(d.delay(1000), 300);
  });
});
