import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REALTIME_DEFAULTS, resolveRealtimeOptions } from '../../src/realtime-options.resolver.js';

describe('resolveRealtimeOptions', () => {
  it('fills every documented default', () => {
    const options = resolveRealtimeOptions({ secret: 'a-long-enough-secret' });
    assert.equal(options.allowedOrigins, 'same-origin');
    assert.equal(options.maxMessageSize, REALTIME_DEFAULTS.maxMessageSize);
    assert.equal(options.heartbeatInterval, 30_000);
    assert.equal(options.sendBufferLimit, 1024 * 1024);
    assert.deepEqual(options.messageRate, { burst: 200, perSecond: 100 });
    assert.equal(options.maxSubscriptions, 100);
    assert.equal(options.socketKeyCookie, 'realtime_sk');
    assert.equal(options.reauthorizeInterval, 60_000);
    assert.equal(options.injectConnectionId, false);
    assert.equal(options.secretWasGenerated, false);
  });

  it('makes a random secret when none is given', () => {
    const [a, b] = [resolveRealtimeOptions(), resolveRealtimeOptions()];
    assert.equal(a.secretWasGenerated, true);
    assert.notEqual(a.secret, b.secret);
  });

  it('names the option that is wrong', () => {
    assert.throws(() => resolveRealtimeOptions({ maxMessageSize: -1 }), /"maxMessageSize" must be a number >= 64/);
    assert.throws(() => resolveRealtimeOptions({ secret: 'short' }), /"secret" must be a string of at least 16/);
    assert.throws(() => resolveRealtimeOptions({ socketKeyCookie: 'a b' }), /"socketKeyCookie"/);
    assert.throws(() => resolveRealtimeOptions({ allowedOrigins: 'x' as never }), /"allowedOrigins"/);
    assert.throws(
      () => resolveRealtimeOptions({ heartbeatInterval: 10_000, subscriptionTtl: 5_000 }),
      /"subscriptionTtl" must be longer than heartbeatInterval/,
    );
  });
});
