import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AccessRevoker } from '../../src/channels/access.revoker.js';
import { ChannelFamilyRegistry } from '../../src/channels/channel-family.registry.js';
import { ChannelHistoryPolicy } from '../../src/channels/channel-history.policy.js';
import type { ChannelSubscriber } from '../../src/channels/channel-subscriber.interface.js';
import { ChannelService } from '../../src/channels/channel.service.js';
import { ConnectionDirectory } from '../../src/channels/connection.directory.js';
import { LocalChannelRouter } from '../../src/channels/local-channel.router.js';
import { LocalDelivery } from '../../src/channels/local-delivery.js';
import { MemoryRevocationList } from '../../src/channels/memory-revocation.list.js';
import { MemorySubscriptionRegistry } from '../../src/channels/memory-subscription.registry.js';
import { resolveRealtimeOptions } from '../../src/realtime-options.resolver.js';
import type { PublishOptions, PublishOutcome } from '../../src/channels/realtime-transport.interface.js';
import { MemoryHub } from '../../src/transport/memory/memory-hub.js';
import { MemoryTransport } from '../../src/transport/memory/memory.transport.js';

/** The embedded default's transport, recording what it was handed. */
class RecordingTransport extends MemoryTransport {
  readonly published: Array<{ channel: string; frame: Buffer; options: PublishOptions }> = [];
  constructor(hub: MemoryHub) {
    super(hub, 'unit');
  }
  override async publish(channel: string, frame: Buffer, options: PublishOptions = {}): Promise<PublishOutcome> {
    this.published.push({ channel, frame, options });
    return super.publish(channel, frame, options);
  }
}

describe('ChannelService (unit)', () => {
  it('encodes a push once, has the transport sequence it, and writes one stamped buffer to every local subscriber', async () => {
    const options = resolveRealtimeOptions({ secret: 'unit-test-secret-1234', heartbeatInterval: 0, history: [{ match: 'widgets:*' }] });
    const hub = new MemoryHub();
    const transport = new RecordingTransport(hub);
    hub.join(transport.hubMember, { subscriptionTtl: options.subscriptionTtl, idempotencyWindow: 60_000 });
    const router = new LocalChannelRouter(transport);
    const registry = new MemorySubscriptionRegistry(options.subscriptionTtl);
    const families = new ChannelFamilyRegistry();
    families.register('widgets', 'test', undefined, { size: 5, ttl: 60_000 });
    const revocations = new MemoryRevocationList(options.subscriptionTtl);
    const directory = new ConnectionDirectory();
    const access = new AccessRevoker(router, registry, transport, revocations, directory, options);
    const local = new LocalDelivery(router, transport, families, access, options);
    local.onModuleInit();
    const policy = new ChannelHistoryPolicy(families, options);
    const service = new ChannelService(router, registry, transport, families, options, access, local, directory, policy);
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
    assert.equal(transport.published.length, 1);
    assert.deepEqual(transport.published[0]!.options.history, { size: 5, ttl: 60_000 }, "the family's history, not the rule's");
    assert.deepEqual(JSON.parse(transport.published[0]!.frame.toString()), {
      event: 'Qty',
      channel: 'widgets:7',
      payload: { qty: 3 },
      mq: { e: 'widgets', rk: '7' },
    });
    assert.equal(written.length, 50);
    assert.ok(written.every(item => item === written[0]), 'one stamped buffer, written 50 times');
    const frame = JSON.parse(written[0]!.toString()) as Record<string, unknown>;
    assert.equal(frame.offset, 1);
    assert.match(String(frame.epoch), /^[0-9a-f]{12}$/);
    await service.push({ qty: 4 }, 'widgets:7', { event: 'Qty' });
    assert.equal((JSON.parse(written[50]!.toString()) as { offset: number }).offset, 2, 'the next offset of the channel');
    hub.leave(transport.hubMember);
    registry.dispose();
    revocations.dispose();
  });
});
