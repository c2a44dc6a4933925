import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeClientFrame, encodeEvent, encodePush, encodeRingReply } from '../../src/protocol/frame.codec.js';

describe('frame codec', () => {
  it('rejects text that is not a JSON object as InvalidJSON', () => {
    for (const text of ['hello', '[1,2]', 'null', '42', '"str"', '{"a":']) {
      assert.deepEqual(decodeClientFrame(text), { kind: 'invalid', code: 'InvalidJSON' }, text);
    }
  });

  it('reads a Myxi action, defaulting the payload to {} and noting whether a tag was sent', () => {
    assert.deepEqual(decodeClientFrame('{"action":"Ping","tag":"t2"}'), {
      kind: 'action',
      action: 'Ping',
      hasTag: true,
      tag: 't2',
      payload: {},
    });
    const untagged = decodeClientFrame('{"action":"X","payload":null}');
    assert.equal(untagged.kind === 'action' && untagged.hasTag, false);
    assert.deepEqual(untagged.kind === 'action' && untagged.payload, {});
  });

  it('treats a frame with an id as a Ring request, and a missing action as ""', () => {
    assert.deepEqual(decodeClientFrame('{"id":"p1","action":"ping"}'), {
      kind: 'ring',
      id: 'p1',
      action: 'ping',
      message: { id: 'p1', action: 'ping' },
    });
    const noAction = decodeClientFrame('{"id":7}');
    assert.equal(noAction.kind === 'ring' && noAction.action, '');
  });

  it('writes a tag only when the caller sent one, even a null one', () => {
    assert.equal(encodeEvent('Welcome', { id: 'x' }), '{"event":"Welcome","payload":{"id":"x"}}');
    assert.equal(encodeEvent('Pong', {}, { value: null }), '{"event":"Pong","tag":null,"payload":{}}');
  });

  it('encodes a push once as UTF-8 bytes with mq and offset only when given', () => {
    const plain = encodePush({ event: 'Push', channel: 'foo', payload: 'hé' });
    assert.ok(Buffer.isBuffer(plain));
    assert.deepEqual(JSON.parse(plain.toString('utf8')), { event: 'Push', channel: 'foo', payload: 'hé' });
    const family = encodePush({ event: 'E', channel: 'w:1', payload: 1, mq: { e: 'w', rk: '1' }, offset: 9 });
    assert.deepEqual(JSON.parse(family.toString()), { event: 'E', channel: 'w:1', payload: 1, mq: { e: 'w', rk: '1' }, offset: 9 });
  });

  it("encodes pakyow's ping reply exactly", () => {
    assert.equal(encodeRingReply('p1', 200, 'pong'), '{"id":"p1","status":200,"headers":{},"body":"pong"}');
  });
});
