import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../support/free-port.js';
import { startRedis, type RedisProcess } from '../support/redis-server.js';
import { TestClient } from '../support/ws-client.js';

/** `npm run start:cluster`: the sample as two instances on one Redis. */
describe('sample as two instances (start:cluster)', () => {
  let redis: RedisProcess;
  let cluster: ChildProcess;
  let ports: number[];

  before(async () => {
    redis = await startRedis();
    ports = [await freePort(), await freePort()];
    cluster = spawn(process.execPath, ['scripts/start-cluster.mjs'], {
      env: { ...process.env, REDIS_URL: redis.url, PORTS: ports.join(','), REALTIME_SECRET: 'cluster-sample-secret-01' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    for (const port of ports) {
      for (let attempt = 0; ; attempt++) {
        const up = await fetch(`http://127.0.0.1:${port}/signin`).then(() => true, () => false);
        if (up) break;
        if (attempt > 200) throw new Error(`sample on ${port} did not start`);
        await new Promise(resolve => setTimeout(resolve, 50));
      }
    }
  });
  after(async () => {
    const exited = once(cluster, 'exit');
    cluster.kill('SIGTERM');
    await exited;
    await redis.stop();
  });

  it('carries a chat message posted on one instance to a page served by the other', async () => {
    // Session tokens are signed, not stored: one from either instance works on both.
    const signIn = await fetch(`http://127.0.0.1:${ports[1]}/signin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'alice' }),
    });
    const { token } = (await signIn.json()) as { token: string };
    const page = await fetch(`http://127.0.0.1:${ports[0]}/rooms/general`, { headers: { authorization: `Bearer ${token}` } });
    const id = (await page.text()).match(/data-socket-connection-id="([0-9a-f]{64})"/)![1];
    const cookie = page.headers.getSetCookie().find(value => value.startsWith('realtime_sk='))!.split(';')[0]!;
    const client = await TestClient.connect(`ws://127.0.0.1:${ports[0]}/?socket_connection_id=${id}`, { headers: { cookie } });
    const posted = await fetch(`http://127.0.0.1:${ports[1]}/rooms/general/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ text: 'crossed instances' }),
    });
    assert.equal(posted.status, 201);
    const push = await client.next(frame => frame.channel === 'chat:general');
    assert.equal(push.event, 'ChatMessage');
    assert.equal(push.payload.text, 'crossed instances');
    client.close();
  });
});
