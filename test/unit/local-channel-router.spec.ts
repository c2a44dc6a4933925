import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChannelSubscriber } from '../../src/channels/channel-subscriber.interface.js';
import { LocalChannelRouter } from '../../src/channels/local-channel.router.js';
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
    assert.equal(router.deliver('news', frame), 2);
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
    assert.equal(router.deliver('y', Buffer.from('z')), 0);
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
});
