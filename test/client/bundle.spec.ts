import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type * as Client from 'nestjs-realtime/client';
import { WebSocket } from 'ws';
import { fixtureModule } from '../fixtures/fixture.module.js';
import { startApp, type TestApp } from '../support/test-app.js';

/** The file a page loads with <script type="module">. */
const BUNDLE = new URL('./dist/client/nestjs-realtime-client.js', import.meta.resolve('nestjs-realtime/package.json'));

describe('the browser bundle (dist/client/nestjs-realtime-client.js)', () => {
  let server: TestApp;
  before(async () => (server = await startApp(fixtureModule())));
  after(() => server.close());

  it('is one ES module that imports nothing', async () => {
    const source = await readFile(fileURLToPath(BUNDLE), 'utf8');
    assert.doesNotMatch(source, /^\s*import[\s{*]/m, 'no static import');
    assert.doesNotMatch(source, /\bimport\s*\(/, 'no dynamic import');
    assert.doesNotMatch(source, /\brequire\s*\(/, 'no require');
    assert.match(source, /^export\s*\{[^}]*\bRealtimeSocket\b/m);
  });

  it('works on its own: connects and answers a request', async () => {
    const bundle = (await import(BUNDLE.href)) as typeof Client;
    assert.equal(typeof bundle.backoffDelay, 'function');
    const socket = new bundle.RealtimeSocket({ url: server.ws, WebSocket, reconnect: false });
    try {
      await socket.connect();
      assert.deepEqual(await socket.request('SayHello', { name: 'bundle', times: 1 }), { greeting: 'hello bundle', isDto: true });
    } finally {
      await socket.close();
    }
  });
});
