import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { fixtureModule } from '../fixtures/fixture.module.js';
import { connectPage } from '../support/page-socket.js';
import { startApp, subscribePage } from '../support/test-app.js';
import { TestClient } from '../support/ws-client.js';

/** Counts of the kinds of handles that keep a process alive. */
function handles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

describe('lifecycle', () => {
  it('closes sockets with 1001 on app.close() and leaves no handle behind', async () => {
    const baseline = handles();
    const server = await startApp(fixtureModule({ heartbeatInterval: 50, reauthorizeInterval: 50 }));
    const page = await subscribePage(server, ['news']);
    const clients = [
      await connectPage(server, page),
      await TestClient.connect(server.ws),
    ];
    await clients[1]!.call('Subscribe', { exchange: 'widgets', routing_key: 1 });
    assert.equal((await clients[1]!.callRoute('get', '/routes/greet/x')).status, 200, 'a keep-alive route call was made');
    await new Promise(resolve => setTimeout(resolve, 120));
    await server.close();
    for (const client of clients) assert.deepEqual(await client.closed, { code: 1001, reason: 'Server shutting down; reconnect_within_ms=1000' });
    await new Promise(resolve => setTimeout(resolve, 50));
    const leftover = handles();
    for (const kind of ['Timeout', 'TCPServerWrap', 'TCPSocketWrap']) {
      assert.equal(leftover[kind] ?? 0, baseline[kind] ?? 0, `${kind} handles after close`);
    }
  });

  it('on SIGTERM with shutdown hooks, closes sockets with 1001 and the process exits', async () => {
    const child = spawn(process.execPath, ['.build/test/fixtures/main.js'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await once(child.stdout!, 'data')) as [Buffer];
    const { port } = JSON.parse(line.toString()) as { port: number };
    const client = await TestClient.connect(`ws://127.0.0.1:${port}/`);
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    assert.deepEqual(await client.closed, { code: 1001, reason: 'Server shutting down; reconnect_within_ms=1000' });
    const timeout = setTimeout(() => child.kill('SIGKILL'), 5000);
    const [code, signal] = (await exited) as [number | null, string | null];
    clearTimeout(timeout);
    assert.ok(code === 0 || signal === 'SIGTERM', `exited by itself (code ${code}, signal ${signal})`);
  });
});
