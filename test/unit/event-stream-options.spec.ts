import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveRealtimeOptions } from '../../src/realtime-options.resolver.js';

const secret = 'a-long-enough-secret';

describe('the eventStream option', () => {
  it('is on by default: retry 5000 ms, a ping every 15 s', () => {
    assert.deepEqual(resolveRealtimeOptions({ secret }).eventStream, { retry: 5000, ping: 15_000 });
    assert.deepEqual(resolveRealtimeOptions({ secret, eventStream: true }).eventStream, { retry: 5000, ping: 15_000 });
  });

  it('takes false, and numbers written as text', () => {
    assert.equal(resolveRealtimeOptions({ secret, eventStream: false }).eventStream, false);
    assert.equal(resolveRealtimeOptions({ secret, eventStream: 'false' as never }).eventStream, false);
    assert.deepEqual(resolveRealtimeOptions({ secret, eventStream: { retry: '1000' as never, ping: '0' as never } }).eventStream, {
      retry: 1000,
      ping: 0,
    });
  });

  it('names the option it refuses', () => {
    assert.throws(() => resolveRealtimeOptions({ secret, eventStream: 3 as never }), /eventStream/);
    assert.throws(() => resolveRealtimeOptions({ secret, eventStream: { retry: -1 } }), /eventStream\.retry/);
    assert.throws(() => resolveRealtimeOptions({ secret, eventStream: { retry: 1.5 } }), /eventStream\.retry/);
    assert.throws(() => resolveRealtimeOptions({ secret, eventStream: { ping: 'often' as never } }), /eventStream\.ping/);
  });
});
