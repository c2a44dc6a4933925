import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { frameShape } from '../../src/protocol/frame-shape.util.js';
import { decodeClientFrame as decode, encodeEvent, encodePush, stampPosition, encodeRingReply } from '../../src/protocol/frame.codec.js';

const LIMITS = { maxDepth: 16, maxElements: 1000 };
const WIDE = 1_000_000;
const tooDeep = (text: string, maxDepth: number) => frameShape(text, { maxDepth, maxElements: WIDE }) === 'tooDeep';
const decodeClientFrame = (text: string) => decode(text, LIMITS);

/** `{"action":"Ping","payload":[[...]]}` nested `depth` levels deep in all. */
function nested(depth: number): string {
  return `{"action":"Ping","payload":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
}

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

  it('encodes a push once as UTF-8 bytes with mq only when given, and stamps its position after', () => {
    const plain = encodePush({ event: 'Push', channel: 'foo', payload: 'hé' });
    assert.ok(Buffer.isBuffer(plain));
    assert.deepEqual(JSON.parse(plain.toString('utf8')), { event: 'Push', channel: 'foo', payload: 'hé' });
    const family = encodePush({ event: 'E', channel: 'w:1', payload: 1, mq: { e: 'w', rk: '1' } });
    assert.deepEqual(JSON.parse(family.toString()), { event: 'E', channel: 'w:1', payload: 1, mq: { e: 'w', rk: '1' } });
    const stamped = stampPosition(plain, { epoch: 'a1"b', offset: 9 });
    assert.deepEqual(JSON.parse(stamped.toString('utf8')), { event: 'Push', channel: 'foo', payload: 'hé', offset: 9, epoch: 'a1"b' });
    assert.deepEqual(JSON.parse(plain.toString('utf8')).offset, undefined, 'the encoded push is left as it was');
  });

  it('refuses a frame nested deeper than maxDepth before parsing it, the frame itself being level 1', () => {
    assert.equal(decodeClientFrame(nested(16)).kind, 'action');
    assert.deepEqual(decodeClientFrame(nested(17)), { kind: 'invalid', code: 'NestingTooDeep' });
    assert.deepEqual(decodeClientFrame(nested(30_000)), { kind: 'invalid', code: 'NestingTooDeep' });
    assert.deepEqual(decode('{"payload":{"a":{"b":1}}}', { maxDepth: 2, maxElements: WIDE }), { kind: 'invalid', code: 'NestingTooDeep' });
  });

  it('refuses a frame of more than maxElements arrays, objects and items before parsing it', () => {
    // Three containers; the frame's 2 keys, the payload's 1 and the array's 3 items.
    const nine = '{"action":"Ping","payload":{"a":[1,2,"x:{[,"]}}';
    assert.equal(decode(nine, { maxDepth: 16, maxElements: 9 }).kind, 'action');
    assert.deepEqual(decode(nine, { maxDepth: 16, maxElements: 8 }), { kind: 'invalid', code: 'TooManyElements' });
    const keys = (count: number) => `{"action":"Ping","payload":{${Array.from({ length: count }, (_, n) => `"k${n}":${n}`).join(',')}}}`;
    assert.equal(decodeClientFrame(keys(996)).kind, 'action', 'the frame, its 2 keys, the payload and its 996 keys: 1000');
    assert.deepEqual(decodeClientFrame(keys(997)), { kind: 'invalid', code: 'TooManyElements' });
    const strings = (count: number) => JSON.stringify({ action: 'Ping', payload: Array(count).fill('s') });
    assert.equal(decodeClientFrame(strings(996)).kind, 'action');
    assert.deepEqual(decodeClientFrame(strings(997)), { kind: 'invalid', code: 'TooManyElements' });
  });

  it('counts an empty container as one element, and tells which limit a frame passed first', () => {
    assert.equal(frameShape('{"a":[[],{}, [ ] ]}', { maxDepth: 3, maxElements: 9 }), 'fits', '5 containers, 1 + 3 items');
    assert.equal(frameShape('{"a":[[],{}, [ ] ]}', { maxDepth: 3, maxElements: 8 }), 'tooManyElements');
    assert.equal(frameShape('{"a":[1,2,3]}', { maxDepth: 3, maxElements: 3 }), 'tooManyElements');
    assert.equal(frameShape('{"a":[[[]]]}', { maxDepth: 2, maxElements: 3 }), 'tooDeep');
    assert.equal(frameShape('{"a":"::::{{{{,,,,"}', { maxDepth: 1, maxElements: 2 }), 'fits');
  });

  it('counts brackets only outside strings, escaped quotes included', () => {
    assert.equal(tooDeep('{"tag":"[[[[[[[[[[[[[[[[[[[[[[[["}', 2), false);
    assert.equal(tooDeep(JSON.stringify({ tag: '\\', more: '[[[' }), 1), false);
    assert.equal(tooDeep(JSON.stringify({ tag: '"[[[[[' }), 1), false);
    assert.equal(tooDeep('{"a":[{"b":[1]}]}', 4), false);
    assert.equal(tooDeep('{"a":[{"b":[1]}]}', 3), true);
    assert.equal(tooDeep('[1],[2],[3]', 1), false, 'siblings do not add up');
  });

  it('accepts a tag that is a short string, a finite number or null, and refuses any other', () => {
    for (const tag of ['t', 'x'.repeat(128), 0, -1.5, null]) {
      const frame = decodeClientFrame(JSON.stringify({ action: 'Ping', tag }));
      assert.equal(frame.kind === 'action' && frame.tag, tag);
    }
    for (const tag of ['x'.repeat(129), { any: ['json'] }, [1], true, false]) {
      assert.deepEqual(decodeClientFrame(JSON.stringify({ action: 'Ping', tag })), { kind: 'invalid', code: 'InvalidPayload', field: 'tag' });
    }
  });

  it('refuses a Ring id longer than 128 characters; other ids that are not strings or numbers make a Myxi action', () => {
    assert.equal(decodeClientFrame(JSON.stringify({ id: 'i'.repeat(128), action: 'ping' })).kind, 'ring');
    assert.deepEqual(decodeClientFrame(JSON.stringify({ id: 'i'.repeat(129), action: 'ping' })), { kind: 'invalid', code: 'InvalidPayload', field: 'id' });
    assert.equal(decodeClientFrame(JSON.stringify({ id: { x: 1 }, action: 'Ping' })).kind, 'action');
  });

  it("encodes pakyow's ping reply exactly", () => {
    assert.equal(encodeRingReply('p1', 200, 'pong'), '{"id":"p1","status":200,"headers":{},"body":"pong"}');
  });
});
