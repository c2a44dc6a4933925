import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RealtimeBackend, RealtimeTransportFactory } from '../../src/channels/realtime-backend.interface.js';
import type { ControlMessage, DirectMessage, TransportReceiver } from '../../src/channels/realtime-transport.interface.js';
import { pushIdOf } from '../../src/channels/push-id.util.js';
import type { ChannelPosition } from '../../src/protocol/channel-position.js';
import { until } from '../support/until.js';

/** A fleet of instances on one backend, as a contract subject provides it. */
export interface Fleet {
  /** Makes the instances' backends: every call is one more instance of the same fleet. */
  factory: RealtimeTransportFactory;
  /** Releases what the fleet shares (a redis-server, ...). */
  cleanup(): Promise<void>;
}

type Received =
  | { kind: 'channel'; channel: string; frame: string; position: ChannelPosition; id?: string }
  | { kind: 'direct'; digest: string; message: DirectMessage; id?: string }
  | { kind: 'control'; message: ControlMessage };

/** One instance: its backend, started as the module starts it, and what it received. */
class Instance implements TransportReceiver {
  readonly received: Received[] = [];

  private constructor(readonly backend: RealtimeBackend) {}

  static async start(factory: RealtimeTransportFactory, n: number): Promise<Instance> {
    const backend = await factory({ instanceId: `instance-${n}-${process.pid}`, subscriptionTtl: 60_000, idempotencyWindow: 60_000 });
    const instance = new Instance(backend);
    backend.transport.bind(instance);
    // The module provides each part, so Nest runs their lifecycle hooks: so does this.
    await instance.hook('onModuleInit');
    await instance.hook('onApplicationBootstrap');
    return instance;
  }

  get transport() {
    return this.backend.transport;
  }

  channelFrames(channel: string): string[] {
    return this.received.flatMap(item => (item.kind === 'channel' && item.channel === channel ? [item.frame] : []));
  }

  receiveChannelFrame(channel: string, frame: Buffer, position: ChannelPosition, id?: string): void {
    this.received.push({ kind: 'channel', channel, frame: frame.toString(), position, ...(id ? { id } : {}) });
  }

  positions(channel: string): ChannelPosition[] {
    return this.received.flatMap(item => (item.kind === 'channel' && item.channel === channel ? [item.position] : []));
  }

  receiveDirect(digest: string, message: DirectMessage, id?: string): void {
    this.received.push({ kind: 'direct', digest, message, ...(id ? { id } : {}) });
  }

  receiveControl(message: ControlMessage): void {
    this.received.push({ kind: 'control', message });
  }

  async stop(): Promise<void> {
    await this.hook('onModuleDestroy');
    await this.hook('beforeApplicationShutdown');
    await this.hook('onApplicationShutdown');
    await this.backend.close?.();
  }

  private async hook(name: string): Promise<void> {
    for (const part of [this.backend.transport, this.backend.registry, this.backend.revocations]) {
      const method = (part as unknown as Record<string, unknown>)[name];
      if (typeof method === 'function') await (method as () => unknown).call(part);
    }
  }
}

let barriers = 0;

/**
 * Waits until every other instance got a control message `from` sent after
 * everything before: what they were going to get from it before is in.
 */
async function barrier(from: Instance, others: Instance[]): Promise<void> {
  const message: ControlMessage = { kind: 'end', match: { digest: `barrier-${++barriers}` } };
  await from.transport.publishControl(message);
  const seen = (instance: Instance) =>
    instance.received.some(item => item.kind === 'control' && JSON.stringify(item.message) === JSON.stringify(message));
  await until(() => others.every(seen), 'the barrier reached every instance');
}

/**
 * The contract every transport passes (memory, Redis, and any other): what
 * `docs/transports.md` promises, run against three instances of one fleet.
 */
export function describeTransportContract(name: string, makeFleet: () => Promise<Fleet>): void {
  describe(`transport contract: ${name}`, () => {
    let fleet: Fleet;
    let a: Instance;
    let b: Instance;
    let c: Instance;
    before(async () => {
      fleet = await makeFleet();
      [a, b, c] = await Promise.all([1, 2, 3].map(n => Instance.start(fleet.factory, n)));
    });
    after(async () => {
      await Promise.all([a, b, c].map(instance => instance?.stop()));
      await fleet?.cleanup();
    });

    it('carries a push, with one position, to every instance that watches its channel, its own included', async () => {
      b.transport.watchChannel('news');
      a.transport.watchChannel('news');
      await Promise.all([a, b].map(instance => instance.transport.settled()));
      const outcome = await a.transport.publish('news', Buffer.from('{"n":1}'));
      assert.ok(outcome === undefined || outcome === 'published', `published, not ${outcome}`);
      await until(() => b.channelFrames('news').length === 1 && a.channelFrames('news').length === 1, 'A and B got the push');
      await barrier(a, [b, c]);
      assert.deepEqual(b.channelFrames('news'), ['{"n":1}']);
      assert.deepEqual(a.channelFrames('news'), ['{"n":1}'], 'the publisher gets it back, sequenced like everyone else');
      assert.deepEqual(a.positions('news'), b.positions('news'));
      assert.equal(a.positions('news')[0]!.offset, 1);
      assert.ok(a.positions('news')[0]!.epoch.length > 0, 'an epoch');
      assert.deepEqual(c.channelFrames('news'), [], 'C does not watch the channel');
    });

    it("gives a channel's pushes contiguous offsets, whichever instance publishes, and hands them over in that order", async () => {
      a.transport.watchChannel('seq');
      c.transport.watchChannel('seq');
      await Promise.all([a, c].map(instance => instance.transport.settled()));
      for (let n = 0; n < 10; n++) await [a, b, c][n % 3]!.transport.publish('seq', Buffer.from(`{"n":${n}}`));
      await until(() => a.channelFrames('seq').length === 10 && c.channelFrames('seq').length === 10, 'A and C got all ten');
      for (const instance of [a, c]) {
        assert.deepEqual(instance.positions('seq').map(position => position.offset), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert.equal(new Set(instance.positions('seq').map(position => position.epoch)).size, 1);
      }
      assert.deepEqual(a.channelFrames('seq'), c.channelFrames('seq'));
    });

    it('reads a channel\'s position, and its history after a position when history is kept', async () => {
      const none = await b.transport.history('never-pushed', undefined, 0);
      assert.deepEqual(none.position, { epoch: '', offset: 0 });
      assert.equal(none.complete, true);
      const history = { size: 3, ttl: 60_000 };
      for (let n = 1; n <= 5; n++) await a.transport.publish('kept', Buffer.from(`{"n":${n}}`), { history });
      const now = await c.transport.history('kept', undefined, 0);
      assert.equal(now.position.offset, 5);
      const recent = await c.transport.history('kept', { epoch: now.position.epoch, offset: 3 }, 10);
      assert.equal(recent.complete, true);
      assert.deepEqual(recent.frames.map(({ offset, frame }) => [offset, frame.toString()]), [[4, '{"n":4}'], [5, '{"n":5}']]);
      const upToDate = await b.transport.history('kept', now.position, 10);
      assert.deepEqual([upToDate.complete, upToDate.frames.length], [true, 0]);
      // Offsets 1 and 2 left a history of three (Redis trims about there: a
      // gap from the start cannot be covered either way once it is long enough).
      for (let n = 6; n <= 350; n++) await a.transport.publish('kept', Buffer.from(`{"n":${n}}`), { history });
      const trimmed = await b.transport.history('kept', { epoch: now.position.epoch, offset: 1 }, 1000);
      assert.equal(trimmed.complete, false, 'trimmed: cannot be recovered');
      assert.equal(trimmed.position.offset, 350);
      const otherEpoch = await b.transport.history('kept', { epoch: 'not-this-one', offset: 348 }, 10);
      assert.equal(otherEpoch.complete, false, 'another epoch cannot be recovered');
      const overLimit = await b.transport.history('kept', { epoch: now.position.epoch, offset: 347 }, 2);
      assert.equal(overLimit.complete, false, 'more than the limit asks for is not recovered');
      const fromNothing = await b.transport.history('new-one', { epoch: '', offset: 0 }, 10);
      assert.equal(fromNothing.complete, true, 'nothing then, nothing now');
      await a.transport.publish('new-one', Buffer.from('{"n":1}'), { history });
      const sinceNothing = await b.transport.history('new-one', { epoch: '', offset: 0 }, 10);
      assert.equal(sinceNothing.complete, true);
      assert.deepEqual(sinceNothing.frames.map(frame => frame.offset), [1]);
    });

    it("answers duplicate for a caller's id the channel had, and sequences it once", async () => {
      b.transport.watchChannel('dup');
      await b.transport.settled();
      const id = pushIdOf('the-one');
      assert.equal(await a.transport.publish('dup', Buffer.from('"x"'), { id }), 'published');
      assert.equal(await c.transport.publish('dup', Buffer.from('"x"'), { id }), 'duplicate');
      await barrier(a, [b]);
      assert.deepEqual(b.positions('dup').map(position => position.offset), [1]);
    });

    it("keeps one channel's pushes in the order they were published", async () => {
      c.transport.watchChannel('ordered');
      await c.transport.settled();
      const frames = Array.from({ length: 50 }, (_, n) => `{"n":${n}}`);
      await Promise.all(frames.map(frame => a.transport.publish('ordered', Buffer.from(frame))));
      await until(() => c.channelFrames('ordered').length === 50, 'C got all 50');
      assert.deepEqual(c.channelFrames('ordered'), frames);
    });

    it('stops carrying a channel once it is unwatched', async () => {
      b.transport.watchChannel('brief');
      await b.transport.settled();
      await a.transport.publish('brief', Buffer.from('"first"'));
      await until(() => b.channelFrames('brief').length === 1, 'B got the first push');
      b.transport.unwatchChannel('brief');
      await b.transport.settled();
      await a.transport.publish('brief', Buffer.from('"second"'));
      await barrier(a, [b]);
      assert.deepEqual(b.channelFrames('brief'), ['"first"']);
    });

    it("carries a caller's push id with the push, so receivers can drop repeats", async () => {
      b.transport.watchChannel('ids');
      await b.transport.settled();
      const id = pushIdOf('order-42');
      await a.transport.publish('ids', Buffer.from('"once"'), { id });
      await until(() => b.channelFrames('ids').length >= 1, 'B got it');
      const got = b.received.find(item => item.kind === 'channel' && item.channel === 'ids');
      assert.equal(got?.kind === 'channel' ? got.id : undefined, id);
    });

    it('carries direct messages to the instance that watches the digest', async () => {
      c.transport.watchDigest('digest-1');
      await c.transport.settled();
      await a.transport.publishDirect('digest-1', { kind: 'frame', frame: '{"to":"one"}' });
      await a.transport.publishDirect('digest-1', { kind: 'subscribe', channels: ['x', 'y'] });
      await a.transport.publishDirect('digest-1', { kind: 'unsubscribe', channels: null });
      await until(() => c.received.filter(item => item.kind === 'direct').length === 3, 'C got three direct messages');
      const directs = c.received.filter(item => item.kind === 'direct');
      assert.deepEqual(
        directs.map(item => (item.kind === 'direct' ? [item.digest, item.message.kind] : [])),
        [['digest-1', 'frame'], ['digest-1', 'subscribe'], ['digest-1', 'unsubscribe']],
      );
      const frame = directs[0]!.kind === 'direct' ? directs[0].message : undefined;
      assert.equal(frame?.kind === 'frame' ? frame.frame.toString() : undefined, '{"to":"one"}');
      const subscribe = directs[1]!.kind === 'direct' ? directs[1].message : undefined;
      assert.deepEqual(subscribe?.kind === 'subscribe' ? subscribe.channels : undefined, ['x', 'y']);
      await barrier(a, [b]);
      assert.equal(b.received.filter(item => item.kind === 'direct').length, 0, 'B does not watch the digest');
    });

    it('carries control messages to every other instance', async () => {
      const message: ControlMessage = { kind: 'end', match: { keyId: 'k-1' }, revokeMs: 1000 };
      await b.transport.publishControl(message);
      const got = (instance: Instance) => instance.received.some(item => item.kind === 'control' && item.message.match && 'keyId' in item.message.match);
      await until(() => got(a) && got(c), 'A and C got it');
      assert.equal(got(b), false, 'not back to the sender');
    });

    it('shares the registry: subscriptions held by digest, indexed by owner', async () => {
      await a.backend.registry.add('page-1', ['news', 'chat'], 'owner-1');
      assert.deepEqual((await b.backend.registry.channelsFor('page-1')).sort(), ['chat', 'news']);
      assert.deepEqual(await c.backend.registry.remove('page-1', ['chat']), ['chat']);
      assert.deepEqual(await a.backend.registry.channelsFor('page-1'), ['news']);
      await b.backend.registry.add('page-2', ['news'], 'owner-1');
      await c.backend.registry.keepAlive(['page-1', 'page-2'], 'owner-1');
      assert.deepEqual((await a.backend.registry.removeOwner('owner-1')).sort(), ['page-1', 'page-2']);
      assert.deepEqual(await b.backend.registry.channelsFor('page-2'), []);
    });

    it('shares the revocation list', async () => {
      await a.backend.revocations.add('key-1');
      assert.equal(a.backend.revocations.has('key-1'), true);
      assert.equal(await b.backend.revocations.check('key-1'), true);
      assert.equal(await c.backend.revocations.check('key-never'), false);
    });

    it('says it is up', async () => {
      for (const instance of [a, b, c]) {
        await instance.transport.settled();
        assert.equal(instance.transport.health().up, true);
      }
    });
  });
}
