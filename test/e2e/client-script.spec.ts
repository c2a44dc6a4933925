import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fixtureModule } from '../fixtures/fixture.module.js';
import { startApp } from '../support/test-app.js';

describe('serveClient', () => {
  it('serves the one-file client at /realtime/client.js, revalidated by ETag', async () => {
    const server = await startApp(fixtureModule({ serveClient: true }));
    try {
      const response = await fetch(`${server.http}/realtime/client.js`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type')!, /^text\/javascript/);
      const body = await response.text();
      assert.equal(body, readFileSync('dist/client/nestjs-realtime-client.js', 'utf8'));
      assert.match(body, /export \{[^}]*RealtimeSocket/);
      const again = await fetch(`${server.http}/realtime/client.js`, { headers: { 'if-none-match': response.headers.get('etag')! } });
      assert.equal(again.status, 304);
    } finally {
      await server.close();
    }
  });

  it('serves it at a chosen path, and not at all by default', async () => {
    const custom = await startApp(fixtureModule({ serveClient: '/assets/rt.js' }));
    const none = await startApp(fixtureModule());
    try {
      assert.equal((await fetch(`${custom.http}/assets/rt.js`)).status, 200);
      assert.equal((await fetch(`${custom.http}/realtime/client.js`)).status, 404);
      assert.equal((await fetch(`${none.http}/realtime/client.js`)).status, 404);
    } finally {
      await custom.close();
      await none.close();
    }
  });
});
