import { Redis } from 'ioredis';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { redisFixtureModule } from '../fixtures/redis-fixture.module.js';
import { connectPage } from '../support/page-socket.js';
import { startRedisCluster, type RedisCluster } from '../support/redis-server.js';
import { actAs, post, startApp, subscribePage, type TestApp } from '../support/test-app.js';

describe('Redis Cluster (sharded pub/sub)', () => {
  let cluster: RedisCluster;
  let a: TestApp;
  let b: TestApp;

  before(async () => {
    cluster = await startRedisCluster(3);
    a = await startApp(redisFixtureModule({ cluster: { nodes: cluster.nodes } }));
    b = await startApp(redisFixtureModule({ cluster: { nodes: cluster.nodes } }));
  });
  after(async () => {
    await a.close();
    await b.close();
    await cluster.stop();
  });

  it('fans out across instances on SSUBSCRIBE/SPUBLISH, each channel on its own shard', async () => {
    const channels = Array.from({ length: 12 }, (_, i) => `shard-${i}`);
    const pageA = await subscribePage(a, channels);
    const pageB = await subscribePage(b, channels);
    const [onA, onB] = [await connectPage(a, pageA), await connectPage(b, pageB)];
    for (const channel of channels) await post(channel.endsWith('1') ? a : b, `/push/${channel}`, { message: channel });
    for (const client of [onA, onB]) {
      await client.barrier();
      await client.next(() => client.frames.filter(frame => frame.channel?.startsWith('shard-')).length >= channels.length);
      const got = client.frames.filter(frame => frame.channel?.startsWith('shard-')).map(frame => frame.payload);
      assert.deepEqual([...got].sort(), [...channels].sort(), 'each push arrived once');
    }

    // Sharded channels live on the shard that owns their slot, and only there;
    // no classic (cluster-wide) pub/sub channel is used.
    const owners = new Map<string, number>();
    for (const node of cluster.nodes) {
      const client = new Redis(node.port, node.host);
      const sharded = (await client.pubsub('SHARDCHANNELS', 'rt:*')) as string[];
      const classic = (await client.pubsub('CHANNELS', 'rt:*')) as string[];
      client.disconnect();
      assert.deepEqual(classic, [], `no classic pub/sub on ${node.port}`);
      for (const channel of sharded) owners.set(channel, (owners.get(channel) ?? 0) + 1);
    }
    for (const channel of channels) assert.equal(owners.get(`rt:{c:${channel}}`), 1, `${channel} is on exactly one shard`);
    assert.ok(new Set([...owners.keys()]).size >= channels.length);
    onA.close();
    onB.close();
  });

  it('keeps digest subscriptions and direct sends working on a cluster', async () => {
    const page = await subscribePage(b, ['cluster-late']);
    const client = await connectPage(a, page);
    await post(b, '/push/cluster-late', { message: 'made on B, delivered on A' });
    await client.next(frame => frame.channel === 'cluster-late');
    await post(b, '/notify', { message: 'direct' }, actAs(page));
    await client.next(frame => frame.event === 'Notice');
    client.close();
  });
});
