import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pushPositionOf } from '../../src/gateway/event-stream/push-position.util.js';
import { StreamPositions } from '../../src/gateway/event-stream/stream-positions.js';

const none = () => [];

describe("an event stream's positions (the id: token)", () => {
  it('round-trips every channel position through the token', () => {
    const positions = new StreamPositions(100);
    assert.equal(positions.toToken(), undefined, 'no id before any position');
    positions.seen('news', 'epoch-a', 7, none);
    positions.seen('widgets:42', 'epoch-b', 2 ** 40, none);
    positions.seen('news', 'epoch-a', 8, none);
    const token = positions.toToken()!;
    assert.match(token, /^[A-Za-z0-9_-]+$/, 'ASCII, fit for an id: line and a header');
    const parsed = StreamPositions.parse(token, 100)!;
    assert.equal(parsed.size, 2);
    const news = parsed.positionOf('news')!;
    assert.equal(news.offset, 8);
    assert.ok(StreamPositions.isEpoch(news, 'epoch-a'));
    assert.ok(!StreamPositions.isEpoch(news, 'epoch-b'), 'a new epoch is told apart');
    assert.equal(parsed.positionOf('widgets:42')!.offset, 2 ** 40);
    assert.equal(parsed.positionOf('elsewhere'), undefined);
  });

  it('takes at most maxEntries channels, making room from the channels no longer held', () => {
    const positions = new StreamPositions(2);
    assert.ok(positions.seen('a', 'e', 1, none));
    assert.ok(positions.seen('b', 'e', 1, none));
    assert.ok(!positions.seen('c', 'e', 1, () => ['a', 'b', 'c']), 'full, and every position is of a held channel');
    assert.ok(positions.seen('c', 'e', 1, () => ['b', 'c']), "a's position makes room once a is left");
    const parsed = StreamPositions.parse(positions.toToken(), 2)!;
    assert.deepEqual(['a', 'b', 'c'].map(channel => parsed.positionOf(channel)?.offset), [undefined, 1, 1]);
  });

  it('counts anything but a whole, bounded token as none', () => {
    const positions = new StreamPositions(3);
    for (const channel of ['a', 'b', 'c']) positions.seen(channel, 'e', 300, none);
    const token = positions.toToken()!;
    assert.ok(StreamPositions.parse(token, 3));
    assert.equal(StreamPositions.parse(token, 2), undefined, 'more entries than the stream may hold');
    assert.equal(StreamPositions.parse(token.slice(0, -2), 3), undefined, 'cut short');
    assert.equal(StreamPositions.parse(`B${token.slice(1)}`, 3), undefined, "another version");
    assert.equal(StreamPositions.parse('not a token!', 3), undefined);
    assert.equal(StreamPositions.parse('', 3), undefined);
    assert.equal(StreamPositions.parse(undefined, 3), undefined);
    assert.equal(StreamPositions.parse('AQ'.padEnd(100_000, 'A'), 3), undefined, 'too long to be read');
    // An offset past 2^53 (ten continuation bytes).
    const huge = Buffer.concat([Buffer.of(1), Buffer.alloc(12, 7), Buffer.alloc(9, 0xff), Buffer.of(1)]).toString('base64url');
    assert.equal(StreamPositions.parse(huge, 3), undefined);
  });

  it('carries positions over for the channels still held, before they get a push', () => {
    const before = new StreamPositions(10);
    before.seen('kept', 'e', 5, none);
    before.seen('dropped', 'e', 6, none);
    const after = new StreamPositions(10);
    after.carryOver(StreamPositions.parse(before.toToken(), 10)!, ['kept', 'new']);
    const parsed = StreamPositions.parse(after.toToken(), 10)!;
    assert.equal(parsed.positionOf('kept')?.offset, 5);
    assert.equal(parsed.positionOf('dropped'), undefined);
    after.seen('kept', 'e', 9, none);
    assert.equal(StreamPositions.parse(after.toToken(), 10)!.positionOf('kept')?.offset, 9);
  });
});

describe("a push frame's position", () => {
  it('is read from offset and epoch, once per frame', () => {
    const frame = Buffer.from(JSON.stringify({ event: 'Push', channel: 'news', payload: { offset: 'x' }, offset: 12, epoch: 'e1' }));
    assert.deepEqual(pushPositionOf(frame), { channel: 'news', epoch: 'e1', offset: 12 });
    assert.equal(pushPositionOf(frame), pushPositionOf(frame), 'the same answer from the cache');
    assert.deepEqual(pushPositionOf(JSON.stringify({ event: 'Push', channel: 'n', payload: 1, offset: 0, epoch: 3 })), {
      channel: 'n',
      epoch: '3',
      offset: 0,
    });
  });

  it('is none for events, direct sends and pushes without history', () => {
    assert.equal(pushPositionOf(Buffer.from('{"event":"Push","channel":"news","payload":1}')), undefined);
    assert.equal(pushPositionOf('{"event":"Notice","payload":{"offset":1,"epoch":"e","channel":"x"}}'), undefined);
    assert.equal(pushPositionOf('{"event":"Push","channel":"news","payload":1,"offset":-1,"epoch":"e"}'), undefined);
    assert.equal(pushPositionOf('{"event":"Push","channel":"news","payload":1,"offset":1}'), undefined, 'no epoch');
  });
});
