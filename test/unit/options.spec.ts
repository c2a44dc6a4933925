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
    assert.equal(options.maxKeysPerFrame, 100);
    assert.equal(options.maxDepth, 16);
    assert.equal(options.receiveQueueLimit, 256 * 1024);
    assert.equal(options.totalReceiveQueueLimit, 64 * 1024 * 1024);
    assert.deepEqual(options.idempotency, { window: 120_000, maxKeys: 50_000 });
  });

  it('fills the Redis defaults: command timeout, outbox', () => {
    const { redis } = resolveRealtimeOptions({ secret: 'a-long-enough-secret', redis: { url: 'redis://cache:6379' } });
    assert.equal(redis?.commandTimeout, 2000);
    assert.equal(redis?.outboxSize, 10_000);
    assert.equal(redis?.outboxMaxAge, 30_000);
  });

  it('checks the Redis timeout, the outbox and the idempotency window, naming them, and takes them as text', () => {
    const redis = (extra: object) => resolveRealtimeOptions({ redis: { url: 'redis://cache:6379', ...extra } }).redis;
    assert.throws(() => redis({ commandTimeout: 0 }), /"redis.commandTimeout" must be a number >= 10; got 0/);
    assert.throws(() => redis({ commandTimeout: '2s' }), /"redis.commandTimeout" must be a number >= 10; got "2s"/);
    assert.throws(() => redis({ outbox: { size: -1 } }), /"redis.outbox.size" must be a number >= 0/);
    assert.throws(() => redis({ outbox: { maxAge: 'soon' } }), /"redis.outbox.maxAge" must be a number >= 0/);
    assert.throws(() => redis({ outbox: 5 }), /"redis.outbox" must be an object/);
    assert.throws(() => resolveRealtimeOptions({ idempotency: { window: 10 } }), /"idempotency.window" must be a number >= 1000/);
    assert.throws(() => resolveRealtimeOptions({ idempotency: { maxKeys: -5 } }), /"idempotency.maxKeys" must be a number >= 0/);
    const resolved = redis({ commandTimeout: '750', outbox: { size: '0', maxAge: ' 5000 ' } });
    assert.equal(resolved?.commandTimeout, 750);
    assert.equal(resolved?.outboxSize, 0);
    assert.equal(resolved?.outboxMaxAge, 5000);
    assert.deepEqual(resolveRealtimeOptions({ idempotency: { window: '60000' as never } }).idempotency, { window: 60_000, maxKeys: 50_000 });
  });

  it('sizes the receive queue after maxMessageSize, and refuses one that cannot hold a frame', () => {
    const big = resolveRealtimeOptions({ secret: 'a-long-enough-secret', maxMessageSize: 1024 * 1024 });
    assert.equal(big.receiveQueueLimit, 4 * 1024 * 1024);
    assert.equal(big.totalReceiveQueueLimit, 64 * 1024 * 1024);
    const set = resolveRealtimeOptions({ secret: 'a-long-enough-secret', receiveQueueLimit: '131072' as never, totalReceiveQueueLimit: 1 << 20 });
    assert.deepEqual([set.receiveQueueLimit, set.totalReceiveQueueLimit], [131_072, 1 << 20]);
    assert.throws(
      () => resolveRealtimeOptions({ receiveQueueLimit: 1000 }),
      /"receiveQueueLimit" must be a number >= maxMessageSize \(65536\); got 1000/,
    );
    assert.throws(
      () => resolveRealtimeOptions({ receiveQueueLimit: 100_000, totalReceiveQueueLimit: 99_999 }),
      /"totalReceiveQueueLimit" must be a number >= receiveQueueLimit \(100000\)/,
    );
  });

  it('takes whole numbers for maxKeysPerFrame and maxDepth', () => {
    const options = resolveRealtimeOptions({ secret: 'a-long-enough-secret', maxKeysPerFrame: '20' as never, maxDepth: 8 });
    assert.deepEqual([options.maxKeysPerFrame, options.maxDepth], [20, 8]);
    assert.throws(() => resolveRealtimeOptions({ maxKeysPerFrame: 0 }), /"maxKeysPerFrame" must be a number >= 1; got 0/);
    assert.throws(() => resolveRealtimeOptions({ maxKeysPerFrame: 2.5 }), /"maxKeysPerFrame" must be a whole number >= 1; got 2.5/);
    assert.throws(() => resolveRealtimeOptions({ maxDepth: 1 }), /"maxDepth" must be a number >= 2; got 1/);
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

  it('resolves the per-address rate, or turns it off', () => {
    assert.deepEqual(resolveRealtimeOptions({}).addressMessageRate, { burst: 2000, perSecond: 1000 });
    assert.equal(resolveRealtimeOptions({ addressMessageRate: false }).addressMessageRate, false);
    assert.deepEqual(resolveRealtimeOptions({ addressMessageRate: { burst: '50' as never, perSecond: 5 } }).addressMessageRate, { burst: 50, perSecond: 5 });
    assert.throws(() => resolveRealtimeOptions({ addressMessageRate: { burst: 0, perSecond: 1 } }), /"addressMessageRate.burst" must be a number >= 1/);
  });
});
