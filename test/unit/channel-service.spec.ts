import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AccessRevoker } from '../../src/channels/access.revoker.js';
import { ChannelFamilyRegistry } from '../../src/channels/channel-family.registry.js';
import type { ChannelSubscriber } from '../../src/channels/channel-subscriber.interface.js';
import { ChannelService } from '../../src/channels/channel.service.js';
import { ConnectionDirectory } from '../../src/channels/connection.directory.js';
import { LocalChannelRouter } from '../../src/channels/local-channel.router.js';
import { LocalDelivery } from '../../src/channels/local-delivery.js';
import { MemoryRevocationList } from '../../src/channels/memory-revocation.list.js';
import { MemorySubscriptionRegistry } from '../../src/channels/memory-subscription.registry.js';
import { resolveRealtimeOptions } from '../../src/realtime-options.resolver.js';
import type { PublishOutcome } from '../../src/channels/realtime-transport.interface.js';
import { MemoryHub } from '../../src/transport/memory/memory-hub.js';
import { MemoryTransport } from '../../src/transport/memory/memory.transport.js';

class RecordingTransport extends MemoryTransport {
  constructor() {
    super(new MemoryHub(), 'unit');
  }
  readonly published: Array<{ channel: string; frame: Buffer }> = [];
  override async publish(channel: string, frame: Buffer): Promise<PublishOutcome> {
    this.published.push({ channel, frame });
    return 'published';
  }
}

describe('ChannelService (unit)', () => {
  it('encodes a push once and hands the same bytes to every local subscriber and to the transport', async () => {
    const options = resolveRealtimeOptions({ secret: 'unit-test-secret-1234', heartbeatInterval: 0 });
    const transport = new RecordingTransport();
    const router = new LocalChannelRouter(transport);
    const registry = new MemorySubscriptionRegistry(options.subscriptionTtl);
    const families = new ChannelFamilyRegistry();
    families.register('widgets', 'test');
    const revocations = new MemoryRevocationList(options.subscriptionTtl);
    const directory = new ConnectionDirectory();
    const access = new AccessRevoker(router, registry, transport, revocations, directory, options);
    const local = new LocalDelivery(router, transport, families, access, options);
    const service = new ChannelService(router, registry, transport, families, options, access, local, directory);
    const written: Array<Buffer | string> = [];
    const subscribers: ChannelSubscriber[] = Array.from({ length: 50 }, (_, i) => ({
      digest: `d${i}`,
      write: frame => written.push(frame),
    }));
    for (const subscriber of subscribers) {
      router.attach(subscriber);
      router.join(subscriber, 'widgets:7');
    }
    const receipt = await service.push({ qty: 3 }, 'widgets:7', { event: 'Qty' });
    assert.deepEqual(receipt, { channels: ['widgets:7'], localDeliveries: 50, status: 'published' });
    assert.equal(written.length, 50);
    const frame = transport.published[0]!.frame;
    assert.ok(written.every(item => item === frame), 'one buffer, written 50 times and published once');
    assert.deepEqual(JSON.parse(frame.toString()), {
      event: 'Qty',
      channel: 'widgets:7',
      payload: { qty: 3 },
      mq: { e: 'widgets', rk: '7' },
    });
    registry.dispose();
    revocations.dispose();
  });
});
