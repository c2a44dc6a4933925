import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../support/free-port.js';
import { connectPage } from '../support/page-socket.js';
import { startRedis, type RedisProcess } from '../support/redis-server.js';
import { socketKeyCookie } from '../support/test-app.js';
import { until } from '../support/until.js';

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
      await until(() => fetch(`http://127.0.0.1:${port}/signin`).then(() => true, () => false), `the sample on ${port} starts`);
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
    const cookie = socketKeyCookie(page)!;
    const client = await connectPage(`ws://127.0.0.1:${ports[0]}/`, { connectionId: id!, cookie });
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

  it('signs out on one instance: no push reaches the old page on either, and neither lets its tokens or route calls in', async () => {
    const http = ports.map(port => `http://127.0.0.1:${port}`);
    const signIn = async (user: string) => {
      const response = await fetch(`${http[0]}/signin`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user }),
      });
      return ((await response.json()) as { token: string }).token;
    };
    const [token, bobToken] = [await signIn('carol'), await signIn('bob')];
    // The page is rendered by the first instance; its socket lands on the second.
    const page = await fetch(`${http[0]}/rooms/general`, { headers: { authorization: `Bearer ${token}` } });
    const html = await page.text();
    const id = html.match(/data-socket-connection-id="([0-9a-f]{64})"/)![1]!;
    const socketToken = (JSON.parse(html.match(/<script type="application\/json" id="page-data">(.*?)<\/script>/s)![1]!) as { socketToken: string })
      .socketToken;
    const realtime = socketKeyCookie(page)!;
    const cookies = `${realtime}; sample_session=${token}`;
    const open = (index: number) => connectPage(`ws://127.0.0.1:${ports[index]}/`, { connectionId: id, cookie: cookies });
    const old = await open(1);
    assert.equal((await old.call('Authenticate', { token: socketToken })).event, 'Authenticated');

    const out = await fetch(`${http[0]}/signout`, { method: 'POST', headers: { cookie: cookies }, redirect: 'manual' });
    assert.equal(out.status, 303);
    assert.ok(out.headers.getSetCookie().some(value => value.startsWith('realtime_sk=') && !value.startsWith(`${realtime};`)));
    assert.equal((await old.next(frame => frame.event === 'Error')).payload.error, 'AccessRevoked');
    assert.deepEqual(await old.closed, { code: 4004, reason: 'Access revoked' }, 'closed by the other instance');

    const reopened = [await open(0), await open(1)];
    for (const [index, client] of reopened.entries()) {
      assert.deepEqual(client.welcome.payload.channels, [], `instance ${index} gives the old page nothing back`);
      assert.equal((await client.call('Authenticate', { token: socketToken })).payload.error, 'InvalidSession');
      assert.equal((await client.callRoute('post', '/rooms/general/messages', { text: 'me?' })).status, 401, `instance ${index}: route calls are not signed in`);
      const bearer = await fetch(`${http[index]}/rooms/general/messages`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(bearer.status, 401, `instance ${index} refuses the session token`);
    }
    for (const base of http) {
      const posted = await fetch(`${base}/rooms/general/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${bobToken}` },
        body: JSON.stringify({ text: 'after the sign-out' }),
      });
      assert.equal(posted.status, 201);
    }
    for (const client of reopened) {
      await client.barrier();
      assert.deepEqual(client.frames.filter(frame => frame.channel), [], 'no push reaches the old page on either instance');
      client.close();
    }
  });
});
