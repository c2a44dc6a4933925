import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { spreadOver } from '../../src/gateway/spread.schedule.js';
import { MAX_CLOSE_REASON_BYTES, reconnectHintOf, withReconnectHint } from '../../src/protocol/reconnect-hint.util.js';
import { resolveRealtimeOptions } from '../../src/realtime-options.resolver.js';

describe('shutdownDrain', () => {
  it('defaults to 1000 ms, takes text, and names itself when it is wrong', () => {
    assert.equal(resolveRealtimeOptions({}).shutdownDrain, 1000);
    assert.equal(resolveRealtimeOptions({ shutdownDrain: 0 }).shutdownDrain, 0);
    assert.equal(resolveRealtimeOptions({ shutdownDrain: '20000' as unknown as number }).shutdownDrain, 20_000);
    assert.throws(() => resolveRealtimeOptions({ shutdownDrain: -1 }), /"shutdownDrain" must be a number >= 0; got -1/);
    assert.throws(() => resolveRealtimeOptions({ shutdownDrain: '10s' as unknown as number }), /"shutdownDrain" must be a number >= 0; got "10s"/);
    assert.throws(() => resolveRealtimeOptions({ shutdownDrain: 3_600_001 }), /"shutdownDrain" must be a number of ms from 0 to 3600000; got 3600001/);
  });
});

describe('the reconnect hint of a close reason', () => {
  it('is written after the text and read back', () => {
    const reason = withReconnectHint('Server shutting down', 1000);
    assert.equal(reason, 'Server shutting down; reconnect_within_ms=1000');
    assert.equal(reconnectHintOf(reason), 1000);
    assert.equal(reconnectHintOf('reconnect_within_ms=0'), 0);
    assert.equal(reconnectHintOf('a; reconnect_within_ms=250; b=c'), 250);
    assert.ok(Buffer.byteLength(withReconnectHint('Server shutting down', 3_600_000)) <= MAX_CLOSE_REASON_BYTES);
  });

  it('is no hint when absent or unreadable', () => {
    for (const reason of ['', 'Server shutting down', 'reconnect_within_ms=', 'reconnect_within_ms=1.5', 'reconnect_within_ms=-1',
      'reconnect_within_ms=3600001', 'xreconnect_within_ms=10', 'reconnect_within_ms=10x', `${'a'.repeat(130)}; reconnect_within_ms=10`]) {
      assert.equal(reconnectHintOf(reason), undefined, reason);
    }
  });
});

describe('spreadOver', () => {
  it('runs every item in order, all at once for a window of 0', async () => {
    const ran: number[] = [];
    const schedule = spreadOver(5, 0, index => ran.push(index));
    assert.deepEqual(ran, [0, 1, 2, 3, 4], 'ran before spreadOver returned');
    await schedule.done;
  });

  it('runs the first item at once and the others later; cancel() ends it', async () => {
    const ran: number[] = [];
    const schedule = spreadOver(3, 3_600_000, index => ran.push(index));
    assert.deepEqual(ran, [0]);
    schedule.cancel();
    await schedule.done;
    assert.deepEqual(ran, [0], 'nothing runs after cancel()');
  });

  it('is done at once with nothing to run', async () => {
    await spreadOver(0, 3_600_000, () => assert.fail('nothing to run')).done;
  });
});
