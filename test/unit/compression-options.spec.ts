import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveRealtimeOptions } from '../../src/realtime-options.resolver.js';

const compression = (value: unknown) => resolveRealtimeOptions({ secret: 'a-long-enough-secret', compression: value as never }).compression;

describe('the compression option', () => {
  it('is off unless given, and true means the documented defaults', () => {
    assert.equal(compression(undefined), false);
    assert.equal(compression(false), false);
    assert.equal(compression('false'), false);
    const defaults = { threshold: 1024, level: 1, memLevel: 6, windowBits: 12, maxSockets: 0 };
    assert.deepEqual(compression(true), defaults);
    assert.deepEqual(compression('true'), defaults);
    assert.deepEqual(compression({}), defaults);
  });

  it('takes each setting, numbers written as text included', () => {
    assert.deepEqual(compression({ threshold: '2048', level: 6, memLevel: '4', windowBits: 10, maxSockets: '500' }), {
      threshold: 2048,
      level: 6,
      memLevel: 4,
      windowBits: 10,
      maxSockets: 500,
    });
    assert.equal((compression({ threshold: 0 }) as { threshold: number }).threshold, 0, 'every frame compressed');
  });

  it('refuses bad values with a sentence naming the setting', () => {
    assert.throws(() => compression('yes'), /"compression" must be false, true, or an object such as \{ threshold, level, memLevel, windowBits, maxSockets \}; got "yes"/);
    assert.throws(() => compression([1]), /"compression" must be/);
    assert.throws(() => compression({ threshold: -1 }), /"compression.threshold" must be a whole number from 0 to 2147483647; got -1/);
    assert.throws(() => compression({ level: 0 }), /"compression.level" must be a whole number from 1 to 9; got 0/);
    assert.throws(() => compression({ level: 'fast' }), /"compression.level" must be a whole number from 1 to 9; got "fast"/);
    assert.throws(() => compression({ memLevel: 10 }), /"compression.memLevel" must be a whole number from 1 to 9/);
    assert.throws(() => compression({ windowBits: 8 }), /"compression.windowBits" must be a whole number from 9 to 15; got 8/);
    assert.throws(() => compression({ windowBits: 12.5 }), /"compression.windowBits" must be a whole number from 9 to 15/);
    assert.throws(() => compression({ maxSockets: -3 }), /"compression.maxSockets" must be a whole number from 0/);
  });
});
