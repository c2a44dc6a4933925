import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeEnvelope } from '../../src/transport/redis/realtime-envelope.js';
import { topicOf } from '../../src/transport/redis/redis-topics.js';

describe('Redis envelope and topics', () => {
  it('reads a version-1 envelope and keeps the body bytes as they are', () => {
    const body = Buffer.from('{"event":"Push","channel":"a","payload":"é"}');
    const message = Buffer.concat([Buffer.from('RT1\tep0ch\t42\tinstance-a\tp\n'), body]);
    const envelope = decodeEnvelope(message);
    assert.deepEqual(
      { ...envelope, body: envelope?.body.toString() },
      { epoch: 'ep0ch', offset: 42, origin: 'instance-a', kind: 'p', id: undefined, body: body.toString() },
    );
  });

  it('reads the push id after the kind, when the sender wrote one', () => {
    const envelope = decodeEnvelope(Buffer.from('RT1\tep0ch\t7\tinstance-a\tp\tk:AbC-_9\n{}'));
    assert.equal(envelope?.id, 'k:AbC-_9');
    assert.equal(envelope?.kind, 'p');
  });

  it('ignores other versions and malformed headers instead of throwing', () => {
    for (const text of ['RT2\te\t1\to\tp\n{}', 'RT1\te\tx\to\tp\n{}', 'RT1\te\t0\to\tp\n{}', 'RT1\te\t1\to\tz\n{}', 'no header', '']) {
      assert.equal(decodeEnvelope(Buffer.from(text)), undefined, text);
    }
  });

  it('keeps a topic and its keys in one cluster slot with a hash tag', () => {
    const topic = topicOf('rt:', 'c', 'widgets:42');
    assert.deepEqual(topic, {
      kind: 'c',
      name: 'widgets:42',
      channel: 'rt:{c:widgets:42}',
      seqKey: 'rt:{c:widgets:42}:seq',
      epochKey: 'rt:{c:widgets:42}:epoch',
      logKey: 'rt:{c:widgets:42}:log',
    });
  });
});
