import { Module } from '@nestjs/common';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RealtimeModuleOptions } from 'nestjs-realtime';
import { FastifyReplyController } from '../fixtures/fastify-reply.controller.js';
import { fixtureModule } from '../fixtures/fixture.module.js';
import { cookiePairs, startApp, type TestApp } from '../support/test-app.js';

/** The fixture app with routes that set cookies on the Fastify reply, on Fastify. */
function startFastify(options: RealtimeModuleOptions): Promise<TestApp> {
  @Module({ imports: [fixtureModule(options)], controllers: [FastifyReplyController] })
  class FastifyFixtureModule {}
  return startApp(FastifyFixtureModule, '/', 'fastify');
}

const SOCKET_KEY_COOKIE = /^realtime_sk=[0-9a-f]{64}\.[A-Za-z0-9_-]+; Path=\/; HttpOnly; SameSite=Lax$/;

/**
 * Cookies a route sets on the Fastify reply, next to the module's. What
 * identity.spec.ts, call-route.spec.ts and client-script.spec.ts check runs on
 * both platforms; pages on both (HEAD, 304, a page's socket, Nest's
 * `setCookie()`): pages.spec.ts.
 */
describe('Fastify: cookies set on the reply', () => {
  let server: TestApp;
  before(async () => (server = await startFastify({ injectConnectionId: true })));
  after(() => server.close());

  it('a route that sets its own cookie on the Fastify reply keeps both cookies', async () => {
    // With pages marked (the head is held for that) and without.
    const plain = await startFastify({});
    try {
      for (const app of [server, plain]) {
        const response = await fetch(`${app.http}/fastify/client`);
        assert.equal(response.status, 200);
        const cookies = response.headers.getSetCookie();
        assert.equal(cookies.length, 2, cookies.join(' | '));
        assert.ok(cookies.some(cookie => SOCKET_KEY_COOKIE.test(cookie)), cookies.join(' | '));
        assert.ok(cookies.includes('theme=dark; Path=/'));
      }
    } finally {
      await plain.close();
    }

    // The module's cookie is set while the page is marked, after the route set its own.
    const page = await fetch(`${server.http}/fastify/page`, { headers: { accept: 'text/html' } });
    assert.match(await page.text(), /<body data-socket-connection-id="[0-9a-f]{64}">/);
    assert.deepEqual(cookiePairs(page).map(pair => pair.split('=')[0]).sort(), ['lang', 'realtime_sk', 'theme']);
  });
});
