import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ChannelService } from 'nestjs-realtime';
import { fixtureModule } from '../fixtures/fixture.module.js';
import { startApp, type TestApp } from '../support/test-app.js';
import { TestClient } from '../support/ws-client.js';

/** Most bytes the kernel can hold for one loopback connection, both ends together. */
function kernelBufferBytes(): number {
  const max = (file: string) => Number(readFileSync(file, 'utf8').trim().split(/\s+/)[2]);
  return max('/proc/sys/net/ipv4/tcp_rmem') + max('/proc/sys/net/ipv4/tcp_wmem');
}

describe('bad input', () => {
  let server: TestApp;
  before(
    async () =>
      (server = await startApp(
        fixtureModule({
          maxMessageSize: 1024,
          messageRate: { burst: 5, perSecond: 1 },
          // Frames are charged by size only here, so the counts below are
          // exact however loaded the machine (frame-work.spec charges work).
          workUnitsPerMs: 0,
          sendBufferLimit: 256 * 1024,
          allowedOrigins: ['https://app.example'],
        }),
      )),
  );
  after(() => server.close());

  it('answers invalid JSON with InvalidJSON (no tag) and keeps the connection', async () => {
    const client = await TestClient.connect(server.ws);
    client.send('not json');
    client.send('[1,2]');
    await client.barrier();
    assert.deepEqual(
      client.frames.filter(frame => frame.event === 'Error'),
      [
        { event: 'Error', payload: { error: 'InvalidJSON', message: 'Frames must be JSON objects' } },
        { event: 'Error', payload: { error: 'InvalidJSON', message: 'Frames must be JSON objects' } },
      ],
    );
    client.close();
  });

  it('answers a binary frame with BinaryNotSupported and keeps the connection', async () => {
    const client = await TestClient.connect(server.ws);
    client.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    const error = await client.next(frame => frame.event === 'Error');
    assert.equal(error.payload.error, 'BinaryNotSupported');
    await client.barrier();
    client.close();
  });

  it('closes with 1009 on a frame over the size limit, and nobody else notices', async () => {
    const [big, bystander] = [await TestClient.connect(server.ws), await TestClient.connect(server.ws)];
    big.send({ action: 'Ping', tag: 'x'.repeat(2000) });
    assert.equal((await big.closed).code, 1009);
    await bystander.barrier();
    bystander.close();
  });

  it('answers RateLimited, then closes with 1008, over the message rate', async () => {
    const client = await TestClient.connect(server.ws);
    for (let i = 0; i < 8; i++) client.send({ action: 'Ping', tag: i });
    const closed = await client.closed;
    assert.equal(closed.code, 1008);
    const pongs = client.frames.filter(frame => frame.event === 'Pong');
    assert.ok(pongs.length >= 5 && pongs.length <= 6, `the burst was served (${pongs.length})`);
    assert.deepEqual(client.frames.at(-1), { event: 'Error', payload: { error: 'RateLimited', message: 'Message rate exceeded' } });
  });

  it('refuses a disallowed Origin with 403 and accepts an allowed one', async () => {
    await assert.rejects(TestClient.open(server.ws, { origin: 'https://evil.example' }), /Unexpected server response: 403/);
    const allowed = await TestClient.connect(server.ws, { origin: 'https://app.example' });
    allowed.close();
  });

  it('closes a reader too slow for its send buffer with 4001; others get everything', async () => {
    const fast = await TestClient.connect(server.ws);
    const slow = await TestClient.connect(server.ws);
    await fast.call('JoinLobby');
    await slow.call('JoinLobby');
    // Stop reading: the kernel buffers fill, then the server's send buffer does.
    const slowSocket = (slow.socket as unknown as { _socket: import('node:net').Socket })._socket;
    slowSocket.pause();
    const channels = server.app.get(ChannelService);
    const chunk = 'x'.repeat(64 * 1024);
    const pushes = Math.ceil((2 * kernelBufferBytes()) / chunk.length) + 16;
    for (let i = 0; i < pushes; i++) {
      await channels.push({ i, chunk }, 'chat:lobby');
      if (i % 8 === 0) await new Promise(resolve => setImmediate(resolve));
    }
    await fast.next(frame => frame.payload?.i === pushes - 1, 20_000);
    const received = fast.frames.filter(frame => frame.channel === 'chat:lobby').map(frame => frame.payload.i);
    assert.deepEqual(received, Array.from({ length: pushes }, (_, i) => i), 'the fast reader got every push, in order');
    slowSocket.resume();
    const closed = await slow.closed;
    assert.deepEqual(closed, { code: 4001, reason: 'Send buffer full' });
    const slowGot = slow.frames.filter(frame => frame.channel === 'chat:lobby').length;
    assert.ok(slowGot < pushes, `the slow reader was cut off (${slowGot} of ${pushes})`);
    fast.close();
  });

  it('drops a peer that stops answering pings; a live one stays', async () => {
    const pinging = await startApp(fixtureModule({ heartbeatInterval: 150 }));
    try {
      const dead = await TestClient.connect(pinging.ws, { autoPong: false });
      const live = await TestClient.connect(pinging.ws);
      assert.equal((await dead.closed).code, 1006, 'terminated without a close frame');
      await new Promise(resolve => setTimeout(resolve, 400));
      assert.equal(live.socket.readyState, live.socket.OPEN);
      await live.barrier();
      live.close();
    } finally {
      await pinging.close();
    }
  });
});
