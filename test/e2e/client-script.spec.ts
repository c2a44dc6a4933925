import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fixtureModule } from '../fixtures/fixture.module.js';
import { PLATFORMS, startApp } from '../support/test-app.js';

/** serveClient, on Express and on Fastify. */
for (const platform of PLATFORMS) {
  describe(`serveClient on ${platform}`, () => {
    it('serves the one-file client at /realtime/client.js: GET, HEAD, and 304 with its ETag', async () => {
      const server = await startApp(fixtureModule({ serveClient: true }), '/', platform);
      try {
        const response = await fetch(`${server.http}/realtime/client.js`);
        assert.equal(response.status, 200);
        assert.match(response.headers.get('content-type')!, /^text\/javascript/);
        const body = await response.text();
        assert.equal(body, readFileSync('dist/client/nestjs-realtime-client.js', 'utf8'));
        assert.match(body, /export \{[^}]*RealtimeSocket/);
        assert.equal(Number(response.headers.get('content-length')), Buffer.byteLength(body));
        const etag = response.headers.get('etag')!;
        assert.match(etag, /^"[A-Za-z0-9_-]+"$/);

        const head = await fetch(`${server.http}/realtime/client.js`, { method: 'HEAD' });
        assert.equal(head.status, 200);
        assert.equal(await head.text(), '');
        for (const name of ['content-type', 'content-length', 'etag']) assert.equal(head.headers.get(name), response.headers.get(name), name);

        const again = await fetch(`${server.http}/realtime/client.js`, { headers: { 'if-none-match': etag } });
        assert.equal(again.status, 304);
        assert.equal(await again.text(), '');
        assert.equal((await fetch(`${server.http}/realtime/client.js?v=2`)).status, 200, 'a query string is not part of the path');
        assert.equal((await fetch(`${server.http}/realtime/other.js`)).status, 404);
      } finally {
        await server.close();
      }
    });

    it('serves it at a chosen path, and not at all by default', async () => {
      const custom = await startApp(fixtureModule({ serveClient: '/assets/rt.js' }), '/', platform);
      const none = await startApp(fixtureModule(), '/', platform);
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
}
