import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChannelSubscriber } from '../../src/channels/channel-subscriber.interface.js';
import { LocalChannelRouter, MAX_HELD_FRAMES } from '../../src/channels/local-channel.router.js';
import { MemoryHub } from '../../src/transport/memory/memory-hub.js';
import { MemoryTransport } from '../../src/transport/memory/memory.transport.js';

/** A transport of its own hub: no other instance. */
class LoneTransport extends MemoryTransport {
  constructor() {
    super(new MemoryHub(), 'lone');
  }
}

class Recorder implements ChannelSubscriber {
  readonly written: Array<Buffer | string> = [];
  constructor(readonly digest: string) {}
  write(frame: Buffer | string): void {
    this.written.push(frame);
  }
}

class WatchingTransport extends LoneTransport {
  readonly calls: string[] = [];
  override watchChannel(channel: string): void {
    this.calls.push(`+${channel}`);
  }
  override unwatchChannel(channel: string): void {
    this.calls.push(`-${channel}`);
  }
  override watchDigest(digest: string): void {
    this.calls.push(`+@${digest}`);
  }
  override unwatchDigest(digest: string): void {
    this.calls.push(`-@${digest}`);
  }
}

describe('LocalChannelRouter', () => {
  it('writes the very same encoded frame to every subscriber of a channel', () => {
    const router = new LocalChannelRouter(new LoneTransport());
    const subscribers = [new Recorder('a'), new Recorder('b'), new Recorder('c')];
    for (const subscriber of subscribers) router.attach(subscriber);
    router.join(subscribers[0]!, 'news');
    router.join(subscribers[1]!, 'news');
    const frame = Buffer.from('{"x":1}');
    assert.equal(router.deliver('news', frame, { epoch: 'e', offset: 1 }), 2);
    assert.equal(subscribers[0]!.written[0], frame);
    assert.equal(subscribers[1]!.written[0], frame);
    assert.equal(subscribers[2]!.written.length, 0);
  });

  it('joins once, leaves once, and forgets everything on detach', () => {
    const router = new LocalChannelRouter(new LoneTransport());
    const subscriber = new Recorder('d');
    assert.equal(router.join(subscriber, 'x'), false, 'not attached yet');
    router.attach(subscriber);
    assert.equal(router.join(subscriber, 'x'), true);
    assert.equal(router.join(subscriber, 'x'), false);
    router.join(subscriber, 'y');
    assert.deepEqual([...router.channelsOf(subscriber)], ['x', 'y']);
    assert.equal(router.leave(subscriber, 'x'), true);
    assert.equal(router.leave(subscriber, 'x'), false);
    assert.deepEqual(router.detach(subscriber), ['y']);
    assert.equal(router.deliver('y', Buffer.from('z'), { epoch: 'e', offset: 1 }), 0);
    assert.equal(router.subscribersOf('d').size, 0);
  });

  it('delivers to every connection of a digest', () => {
    const router = new LocalChannelRouter(new LoneTransport());
    const [one, two, other] = [new Recorder('same'), new Recorder('same'), new Recorder('other')];
    for (const subscriber of [one, two, other]) router.attach(subscriber);
    assert.equal(router.deliverToDigest('same', 'hi'), 2);
    assert.deepEqual([one.written, two.written, other.written], [['hi'], ['hi'], []]);
  });

  it('tells the transport about the first and last local subscriber only', () => {
    const transport = new WatchingTransport();
    const router = new LocalChannelRouter(transport);
    const [a, b] = [new Recorder('da'), new Recorder('db')];
    router.attach(a);
    router.attach(b);
    router.join(a, 'c');
    router.join(b, 'c');
    router.leave(a, 'c');
    router.detach(b);
    router.detach(a);
    assert.deepEqual(transport.calls, ['+@da', '+@db', '+c', '-c', '-@db', '-@da']);
  });

  it('holds a catching-up subscriber\'s pushes until release, then writes those after its floor once', () => {
    const router = new LocalChannelRouter(new LoneTransport());
    const live = new Recorder('live');
    const late = new Recorder('late');
    router.attach(live);
    router.attach(late);
    router.join(live, 'c');
    router.join(late, 'c', { hold: true });
    const frame = (offset: number) => Buffer.from(`{"n":${offset}}`);
    for (const offset of [4, 5, 6]) router.deliver('c', frame(offset), { epoch: 'e', offset });
    assert.equal(live.written.length, 3);
    assert.equal(late.written.length, 0, 'held');
    // History gave it 1..5: the held 4 and 5 are not written again.
    assert.equal(router.release(late, 'c', { epoch: 'e', offset: 5 }), true);
    assert.deepEqual(late.written.map(String), ['{"n":6}']);
    // A push the transport hands on again after it caught up is dropped once.
    router.deliver('c', frame(6), { epoch: 'e', offset: 6 });
    router.deliver('c', frame(7), { epoch: 'e', offset: 7 });
    assert.deepEqual(late.written.map(String), ['{"n":6}', '{"n":7}']);
    // A new epoch is new to everyone.
    router.deliver('c', frame(1), { epoch: 'f', offset: 1 });
    assert.deepEqual(late.written.map(String), ['{"n":6}', '{"n":7}', '{"n":1}']);
    assert.equal(live.written.length, 6);
  });

  it('says a release lost pushes when more arrived than it could hold', () => {
    const router = new LocalChannelRouter(new LoneTransport());
    const late = new Recorder('late');
    router.attach(late);
    router.join(late, 'c', { hold: true });
    for (let offset = 1; offset <= MAX_HELD_FRAMES + 1; offset++) router.deliver('c', Buffer.from('{}'), { epoch: 'e', offset });
    assert.equal(router.release(late, 'c', { epoch: 'e', offset: 0 }), false);
    assert.equal(late.written.length, MAX_HELD_FRAMES);
  });
});
