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

  it('resolves the revocation options: user ids from user.id by default, or from the userId function', () => {
    const defaults = resolveRealtimeOptions({ secret: 'a-long-enough-secret' });
    assert.equal(defaults.reauthorizeServerSubscriptions, false);
    assert.equal(defaults.userId({ id: 42 }), '42');
    assert.equal(defaults.userId({ id: 'u-1', name: 'ada' }), 'u-1');
    assert.equal(defaults.userId({ name: 'ada' }), undefined);
    assert.equal(defaults.userId({ id: '' }), undefined);
    assert.equal(defaults.userId('ada'), undefined);
    const custom = resolveRealtimeOptions({
      secret: 'a-long-enough-secret',
      userId: (user: { name: string }) => user.name,
      reauthorizeServerSubscriptions: 'true' as never,
    });
    assert.equal(custom.userId({ name: 'ada' }), 'ada');
    assert.equal(custom.reauthorizeServerSubscriptions, true);
    assert.throws(() => resolveRealtimeOptions({ userId: 'id' as never }), /"userId" must be a function of the user/);
    assert.throws(() => resolveRealtimeOptions({ reauthorizeServerSubscriptions: 'yes' as never }), /"reauthorizeServerSubscriptions" must be true or false/);
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

  it('takes numbers and booleans written as text, as environment variables carry them', () => {
    const options = resolveRealtimeOptions({
      secret: 'a-long-enough-secret',
      heartbeatInterval: '15000' as never,
      messageRate: { burst: '50' as never, perSecond: ' 2.5 ' as never },
      injectConnectionId: 'true' as never,
      secureCookie: 'false' as never,
      serveClient: 'true' as never,
    });
    assert.equal(options.heartbeatInterval, 15_000);
    assert.deepEqual(options.messageRate, { burst: 50, perSecond: 2.5 });
    assert.equal(options.injectConnectionId, true);
    assert.equal(options.secureCookie, false);
    assert.equal(options.clientPath, '/realtime/client.js');
  });

  it('rejects text that is not a number or a boolean, naming the option', () => {
    assert.throws(() => resolveRealtimeOptions({ heartbeatInterval: '15s' as never }), /"heartbeatInterval" must be a number >= 0; got "15s"/);
    assert.throws(() => resolveRealtimeOptions({ injectConnectionId: 'yes' as never }), /"injectConnectionId" must be true or false; got "yes"/);
    assert.throws(() => resolveRealtimeOptions({ sameSite: 'None' as never }), /"sameSite" must be 'Strict' or 'Lax'; got "None"/);
  });

  it('rejects a Redis url that is missing, instead of connecting to 127.0.0.1:6379', () => {
    // What `redis: { url: config.get('REDIS_URL') }` gives when the variable is unset.
    assert.throws(() => resolveRealtimeOptions({ redis: { url: undefined } }), /"redis.url" must be a redis:\/\/ or rediss:\/\/ URL; got undefined\. .*leave out "redis" to run in memory/);
    assert.throws(() => resolveRealtimeOptions({ redis: { url: '' } }), /"redis.url" must be a redis:\/\/ or rediss:\/\/ URL; got ""/);
    assert.throws(() => resolveRealtimeOptions({ redis: { url: 'localhost:6379' } }), /"redis.url"/);
    assert.equal(resolveRealtimeOptions({ redis: { url: 'redis://cache:6380/2' } }).redis?.url, 'redis://cache:6380/2');
    // No url key at all keeps the documented default, and no redis key means memory.
    assert.equal(resolveRealtimeOptions({ redis: {} }).redis?.url, 'redis://127.0.0.1:6379');
    assert.equal(resolveRealtimeOptions({ redis: undefined }).redis, undefined);
  });

  it('takes the headers route calls may set, never the identity or proxy headers', () => {
    assert.deepEqual(resolveRealtimeOptions({}).callRouteHeaders, ['authorization']);
    assert.deepEqual(resolveRealtimeOptions({ callRouteHeaders: ['Authorization', 'X-Api-Key'] }).callRouteHeaders, ['authorization', 'x-api-key']);
    for (const name of ['cookie', 'Host', 'x-forwarded-for', 'X-Realtime-Socket-Key', 'bad header']) {
      assert.throws(() => resolveRealtimeOptions({ callRouteHeaders: [name] }), /"callRouteHeaders" must be an array of header names/);
    }
  });
});
