import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay, RECONNECT_DEFAULTS } from 'nestjs-realtime/client';

describe('backoffDelay', () => {
  const middle = () => 0.5; // no spread

  it('doubles from 500 ms and stops at 10 s by default', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7, 20].map(attempt => backoffDelay(attempt, {}, middle)),
      [500, 1000, 2000, 4000, 8000, 10000, 10000, 10000],
    );
    assert.deepEqual(RECONNECT_DEFAULTS, {
      initialDelayMs: 500,
      maxDelayMs: 10000,
      factor: 2,
      jitter: 0.5,
      maxAttempts: Infinity,
    });
  });

  it('spreads by ±jitter around the delay', () => {
    assert.equal(backoffDelay(1, {}, () => 0), 250);
    assert.equal(backoffDelay(1, {}, () => 0.75), 625);
    assert.equal(backoffDelay(3, {}, () => 0.25), 1500);
    assert.equal(backoffDelay(2, { jitter: 0.2 }, () => 0), 800);
    assert.equal(backoffDelay(2, { jitter: 0.2 }, () => 0.9), 1160);
  });

  it('never exceeds maxDelayMs, jitter included', () => {
    assert.equal(backoffDelay(5, { maxDelayMs: 6000 }, () => 0.99), 6000);
    assert.equal(backoffDelay(50, {}, () => 0.999), 10000);
    assert.equal(backoffDelay(50, {}, () => 0), 5000);
  });

  it('follows initialDelayMs and factor, and needs no random without jitter', () => {
    const never = () => assert.fail('random() called without jitter');
    assert.deepEqual(
      [1, 2, 3, 4].map(attempt => backoffDelay(attempt, { initialDelayMs: 100, factor: 3, jitter: 0 }, never)),
      [100, 300, 900, 2700],
    );
    assert.equal(backoffDelay(1, { initialDelayMs: 0, jitter: 0 }), 0);
  });
});
