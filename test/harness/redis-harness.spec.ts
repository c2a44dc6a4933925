import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Cluster, Redis } from 'ioredis';
import { startAppProcess, type AppProcess } from '../support/app-process.js';
import { startRedis, startRedisCluster, type RedisCluster, type RedisProcess } from '../support/redis-server.js';

/** Whether something accepts TCP connections on the loopback port. */
function accepts(port: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A client that fails fast instead of queueing while the server is down. */
function client(port: number): Redis {
  const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
  redis.on('error', () => {});
  return redis;
}

describe('harness: redis-server', () => {
  let redis: RedisProcess;
  before(async () => (redis = await startRedis()));
  after(() => redis.stop());

  it('starts a server that answers SET and GET, away from the shared 6379', async () => {
    assert.notEqual(redis.port, 6379);
    assert.equal(redis.url, `redis://127.0.0.1:${redis.port}`);
    assert.equal(redis.running, true);
    const connection = client(redis.port);
    await connection.connect();
    assert.equal(await connection.set('greeting', 'hello'), 'OK');
    assert.equal(await connection.get('greeting'), 'hello');
    connection.disconnect();
  });

  it('refuses a port that something already listens on', async () => {
    await assert.rejects(startRedis({ port: redis.port }), new RegExp(`Port ${redis.port} is already in use`));
  });

  it('kill() crashes it: commands fail and the port refuses connections', async () => {
    const connection = client(redis.port);
    await connection.connect();
    await redis.kill();
    assert.equal(redis.running, false);
    await assert.rejects(connection.get('greeting'));
    assert.equal(await accepts(redis.port), false);
    connection.disconnect();
  });

  it('start() brings it back on the same port, empty', async () => {
    const port = redis.port;
    await redis.start();
    assert.equal(redis.running, true);
    assert.equal(redis.port, port);
    const connection = client(port);
    await connection.connect();
    assert.equal(await connection.get('greeting'), null);
    assert.equal(await connection.set('greeting', 'again'), 'OK');
    assert.equal(await connection.get('greeting'), 'again');
    connection.disconnect();
  });

  it('stop() ends it gracefully, and start() works after that too', async () => {
    await redis.stop();
    assert.equal(redis.running, false);
    assert.equal(await accepts(redis.port), false);
    await redis.start();
    assert.equal(await accepts(redis.port), true);
    await assert.rejects(redis.start(), /already running/);
  });
});

describe('harness: redis cluster', () => {
  const masters = 3;
  let cluster: RedisCluster;
  before(async () => (cluster = await startRedisCluster(masters)));
  after(() => cluster.stop());

  it('has every node ok with all 16384 slots spread over the masters', async () => {
    assert.equal(cluster.nodes.length, masters);
    for (const node of cluster.nodes) {
      const connection = client(node.port);
      await connection.connect();
      const info = (await connection.call('CLUSTER', 'INFO')) as string;
      assert.match(info, /^cluster_state:ok\r?$/m);
      assert.match(info, /^cluster_slots_assigned:16384\r?$/m);
      assert.match(info, new RegExp(`^cluster_size:${masters}\\r?$`, 'm'));
      const slots = (await connection.call('CLUSTER', 'SLOTS')) as Array<[number, number, [string, number]]>;
      const owners = new Set(slots.map(([, , [, port]]) => port));
      assert.deepEqual([...owners].sort(), cluster.nodes.map(({ port }) => port).sort());
      assert.equal(slots.reduce((sum, [from, to]) => sum + to - from + 1, 0), 16384);
      connection.disconnect();
    }
  });

  it('serves a Cluster client whose keys land on every master', async () => {
    const redis = new Cluster(cluster.nodes);
    const keys = Array.from({ length: 30 }, (_, i) => `key-${i}`);
    for (const key of keys) await redis.set(key, `value of ${key}`);
    for (const key of keys) assert.equal(await redis.get(key), `value of ${key}`);
    await redis.quit();
    for (const node of cluster.nodes) {
      const connection = client(node.port);
      await connection.connect();
      assert.ok((await connection.dbsize()) > 0, `master ${node.port} holds some of the keys`);
      connection.disconnect();
    }
  });
});

describe('harness: app process', () => {
  let app: AppProcess;
  before(async () => (app = await startAppProcess('.build/test/fixtures/main.js')));
  after(() => app.kill());

  it('serves HTTP on the port it printed, and stop() makes it exit', async () => {
    assert.equal(app.http, `http://127.0.0.1:${app.port}`);
    assert.equal(app.ws, `ws://127.0.0.1:${app.port}/`);
    const response = await fetch(`${app.http}/state`);
    assert.equal(response.status, 200, app.output());
    await response.body?.cancel();
    const { code, signal } = await app.stop();
    assert.ok(code === 0 || signal === 'SIGTERM', `exited by itself (code ${code}, signal ${signal}): ${app.output()}`);
    assert.equal(await accepts(app.port), false);
  });

  it('gives up with the stderr of an entry that never prints its port', async () => {
    await assert.rejects(
      startAppProcess('.build/test/fixtures/no-such-entry.js'),
      (error: Error) => /exited first/.test(error.message) && /Cannot find module/.test(error.message),
    );
  });
});
