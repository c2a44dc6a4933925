import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { redisFixtureModule } from '../fixtures/redis-fixture.module.js';
import { freePort } from '../support/free-port.js';
import { killOnExit } from '../support/on-exit.js';
import { connectPage } from '../support/page-socket.js';
import { startRedis, type RedisProcess } from '../support/redis-server.js';
import { post, startApp, subscribePage, type TestApp } from '../support/test-app.js';
import { until } from '../support/until.js';

/** The configuration docs/scaling.md gives for Sentinel, against a real sentinel. */
describe('Redis Sentinel', () => {
  let master: RedisProcess;
  let sentinel: ChildProcess;
  let dir: string;
  let sentinelPort: number;
  let a: TestApp;
  let b: TestApp;

  before(async () => {
    master = await startRedis();
    sentinelPort = await freePort();
    dir = await mkdtemp(join(tmpdir(), 'nestjs-realtime-sentinel-'));
    const config = join(dir, 'sentinel.conf');
    await writeFile(
      config,
      [`port ${sentinelPort}`, 'bind 127.0.0.1', `dir ${dir}`, `sentinel monitor mymaster 127.0.0.1 ${master.port} 1`, ''].join('\n'),
    );
    sentinel = spawn('redis-server', [config, '--sentinel'], { stdio: 'ignore' });
    killOnExit(sentinel);
    await until(async () => {
      const probe = new Redis(sentinelPort, '127.0.0.1', { lazyConnect: true, retryStrategy: () => null });
      const found = await probe.connect().then(
        () => probe.call('SENTINEL', 'get-master-addr-by-name', 'mymaster'),
        () => null,
      );
      probe.disconnect();
      return Array.isArray(found) && found[1] === String(master.port);
    }, 'the sentinel monitors the master');
    const redis = { connection: { sentinels: [{ host: '127.0.0.1', port: sentinelPort }], name: 'mymaster' } };
    a = await startApp(redisFixtureModule(redis));
    b = await startApp(redisFixtureModule(redis));
  });
  after(async () => {
    await a.close();
    await b.close();
    const exited = once(sentinel, 'exit');
    sentinel.kill('SIGTERM');
    await exited;
    await master.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('finds the master through the sentinel and fans out across instances', async () => {
    const page = await subscribePage(a, ['sentinel-feed']);
    const client = await connectPage(a, page);
    await post(b, '/push/sentinel-feed', { message: 'via sentinel' });
    await client.next(frame => frame.channel === 'sentinel-feed');
    const inspect = new Redis(master.url);
    assert.ok((await inspect.keys('rt:subs:*')).length >= 1, 'the registry lives on the master');
    inspect.disconnect();
    client.close();
  });
});
