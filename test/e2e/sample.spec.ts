import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startAppProcess, type AppProcess } from '../support/app-process.js';
import { connectPage } from '../support/page-socket.js';
import { PLATFORMS, socketKeyCookie } from '../support/test-app.js';
import { TestClient } from '../support/ws-client.js';
import { positioned } from '../support/positioned.js';

/** The compiled sample, next to this compiled spec. */
const SAMPLE = fileURLToPath(new URL('../../sample/src/main.js', import.meta.url));

interface RoomPage {
  connectionId: string;
  /** `realtime_sk=...`, the socket-key cookie the page's socket sends. */
  realtimeCookie: string;
  /** The token the page's script authenticates its socket with. */
  socketToken: string;
}

/** On each platform (`PLATFORM=express|fastify npm start`). */
for (const platform of PLATFORMS) {
  /** The sample app as `npm start` runs it, on the embedded default. */
  describe(`sample app (npm start) on ${platform}`, () => {
    let app: AppProcess;
    let aliceToken: string;

    async function signIn(user: string): Promise<string> {
      const response = await fetch(`${app.http}/signin`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user }),
      });
      assert.equal(response.status, 200);
      const body = (await response.json()) as { user: { name: string }; token: string };
      assert.equal(body.user.name, user);
      return body.token;
    }

    async function openRoom(token: string, room: string): Promise<RoomPage> {
      const page = await fetch(`${app.http}/rooms/${room}`, { headers: { authorization: `Bearer ${token}`, accept: 'text/html' } });
      assert.equal(page.status, 200);
      const html = await page.text();
      const connectionId = html.match(/<body[^>]* data-socket-connection-id="([0-9a-f]{64})"/)?.[1];
      assert.ok(connectionId, 'the page carries its connection id');
      const realtimeCookie = socketKeyCookie(page)!;
      const data = JSON.parse(html.match(/<script type="application\/json" id="page-data">(.*?)<\/script>/s)![1]!) as {
        socketToken: string;
      };
      return { connectionId, realtimeCookie, socketToken: data.socketToken };
    }

    function connect(page: RoomPage): Promise<TestClient> {
      return connectPage(app, { connectionId: page.connectionId, cookie: page.realtimeCookie });
    }

    function postMessage(token: string | undefined, room: string, text: unknown): Promise<Response> {
      return fetch(`${app.http}/rooms/${room}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ text }),
      });
    }

    before(async () => {
      app = await startAppProcess(SAMPLE, { PLATFORM: platform, PORT: '0', PRINT_PORT_JSON: '1', REALTIME_SECRET: 'sample-test-secret-0123', REDIS_URL: '' });
      aliceToken = await signIn('alice');
    });

    after(async () => {
      await app?.stop();
    });

    it('sends people who are not signed in to the sign-in page', async () => {
      const page = await fetch(`${app.http}/rooms/general`, { headers: { accept: 'text/html' }, redirect: 'manual' });
      assert.equal(page.status, 303);
      assert.equal(page.headers.get('location'), '/signin?next=%2Frooms%2Fgeneral');
      assert.equal((await postMessage(undefined, 'general', 'hi')).status, 401);
      const signin = await fetch(`${app.http}/signin`);
      assert.match(await signin.text(), /<button type="submit" name="user" value="alice"/);
    });

    it('signs in with a form post and the session cookie, and serves its assets and the client', async () => {
      const form = await fetch(`${app.http}/signin`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'user=bob&next=%2Fwidgets',
        redirect: 'manual',
      });
      assert.equal(form.status, 303);
      assert.equal(form.headers.get('location'), '/widgets');
      const session = form.headers.getSetCookie().find(cookie => cookie.startsWith('sample_session='))!;
      assert.match(session, /; Path=\/; HttpOnly; SameSite=Lax$/);
      const cookie = session.split(';')[0]!;
      const widgets = await fetch(`${app.http}/widgets`, { headers: { cookie, accept: 'text/html' } });
      assert.equal(widgets.status, 200);
      const html = await widgets.text();
      assert.match(html, /<body data-socket-connection-id="[0-9a-f]{64}">/);
      assert.equal(Number(widgets.headers.get('content-length')), Buffer.byteLength(html));
      const signedIn = await fetch(`${app.http}/signin?next=%2Frooms%2Frandom`, { headers: { cookie }, redirect: 'manual' });
      assert.deepEqual([signedIn.status, signedIn.headers.get('location')], [303, '/rooms/random']);
      const unknown = await fetch(`${app.http}/signin`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: 'nobody' }),
      });
      assert.deepEqual([unknown.status, await unknown.json()], [400, { statusCode: 400, message: 'Unknown user' }]);

      const out = await fetch(`${app.http}/signout`, { method: 'POST', headers: { cookie }, redirect: 'manual' });
      assert.deepEqual([out.status, out.headers.get('location')], [303, '/signin']);
      assert.match(out.headers.getSetCookie().join(), /^sample_session=; Path=\/; Max-Age=0; /);

      for (const [path, type] of [['/assets/app.css', /^text\/css/], ['/assets/chat.js', /^text\/javascript/], ['/realtime/client.js', /^text\/javascript/]] as const) {
        const asset = await fetch(`${app.http}${path}`);
        assert.equal(asset.status, 200, path);
        assert.match(asset.headers.get('content-type')!, type, path);
        assert.ok((await asset.text()).length > 100, path);
      }
      assert.equal((await fetch(`${app.http}/assets/main.ts`)).status, 404);
    });

    it('renders a room page whose connection id receives what is posted', async () => {
      const page = await openRoom(aliceToken, 'general');
      const client = await connect(page);
      try {
        const posted = await postMessage(aliceToken, 'general', '  Realtime is live  ');
        assert.equal(posted.status, 201);
        const push = await client.next(frame => frame.channel === 'chat:general');
        assert.equal(push.event, 'ChatMessage');
        assert.equal(push.payload.text, 'Realtime is live');
        assert.equal(push.payload.author.name, 'alice');
        assert.deepEqual(await posted.json(), push.payload);

        assert.equal((await postMessage(aliceToken, 'general', '')).status, 400);
        assert.equal((await postMessage(aliceToken, 'general', 'x'.repeat(501))).status, 400);
        assert.equal((await postMessage(aliceToken, 'nowhere', 'hi')).status, 404);

        // A fresh page shows the history.
        const history = await fetch(`${app.http}/rooms/general/messages`, { headers: { authorization: `Bearer ${aliceToken}` } });
        const { messages } = (await history.json()) as { messages: Array<{ id: string }> };
        assert.equal(messages.at(-1)!.id, push.payload.id);
      } finally {
        client.close();
      }
    });

    it('signs out for good: the old page gets no more pushes, its tokens and route calls are refused, and the browser gets a new realtime key', async () => {
      const token = await signIn('carol');
      const page = await openRoom(token, 'general');
      // What the browser sends: the realtime cookie and the session cookie, on the upgrade and on the sign-out.
      const cookies = `${page.realtimeCookie}; sample_session=${token}`;
      const open = () => connectPage(app, { connectionId: page.connectionId, cookie: cookies });
      const old = await open();
      assert.equal((await old.call('Authenticate', { token: page.socketToken })).event, 'Authenticated');
      const routeCall = async (client: TestClient, label: string) =>
        (await client.callRoute('post', '/rooms/general/messages', { text: `via ${label}` })).status;
      assert.equal(await routeCall(old, 'before'), 201, 'a route call carries the session cookie of the upgrade');

      const out = await fetch(`${app.http}/signout`, { method: 'POST', headers: { cookie: cookies }, redirect: 'manual' });
      assert.deepEqual([out.status, out.headers.get('location')], [303, '/signin']);
      const setCookies = out.headers.getSetCookie();
      assert.ok(setCookies.some(cookie => cookie.startsWith('sample_session=;')), 'the session cookie is dropped');
      const fresh = socketKeyCookie(out);
      assert.ok(fresh && fresh !== page.realtimeCookie, 'a new realtime key for this browser');
      assert.equal((await old.next(frame => frame.event === 'Error')).payload.error, 'AccessRevoked');
      assert.deepEqual(await old.closed, { code: 4004, reason: 'Access revoked' });

      // The session is over: its cookie, bearer token and socket token are refused.
      assert.equal((await postMessage(token, 'general', 'still me?')).status, 401);
      const again = await open();
      assert.deepEqual(again.welcome.payload.channels, [], 'the old page id and cookie get nothing back');
      assert.equal((await again.call('Authenticate', { token: page.socketToken })).payload.error, 'InvalidSession');
      assert.equal(await routeCall(again, 'after'), 401, 'route calls of the old page are not signed in');
      assert.equal((await postMessage(aliceToken, 'general', 'said after the sign-out')).status, 201);
      await again.barrier();
      assert.deepEqual(again.frames.filter(frame => frame.channel), [], 'no push reaches the old page');
      again.close();
    });

    it('signs sockets in with Authenticate; handlers check the user and what they own', async () => {
      const page = await openRoom(aliceToken, 'random');
      const client = await connect(page);
      try {
        assert.equal((await client.call('SendMessage', { room: 'random', text: 'hi' })).payload.error, 'AuthRequired');
        assert.equal((await client.call('Authenticate', { token: aliceToken })).payload.error, 'InvalidSession', 'a session token is not a socket token');
        const signedIn = await client.call('Authenticate', { token: page.socketToken });
        assert.equal(signedIn.event, 'Authenticated');
        assert.equal(signedIn.payload.user.name, 'alice');

        const sent = await client.call('SendMessage', { room: 'random', text: 'over the socket' });
        assert.equal(sent.event, 'MessageSent');
        const push = await client.next(frame => frame.channel === 'chat:random');
        assert.deepEqual(push.payload, sent.payload);
        assert.equal((await client.call('SendMessage', { room: 'random', text: ' ' })).payload.error, 'ValidationFailed');

        // Widgets: Alice owns 1-3, Bob owns 4-5.
        assert.equal((await client.call('AdjustQty', { id: '4', delta: 1 })).payload.error, 'Forbidden');
        const adjusted = await client.call('AdjustQty', { id: '2', delta: -1 });
        assert.deepEqual(adjusted, { event: 'QtyAdjusted', tag: adjusted.tag, payload: { qty: 2 } });
        const denied = await client.call('Subscribe', { exchange: 'widgets', routing_key: '4' });
        assert.equal(denied.payload.error, 'SubscriptionDenied');
        const allowed = await client.call('Subscribe', { exchange: 'widgets', routing_key: '2' });
        assert.equal(allowed.event, 'Subscribed');
        await client.call('AdjustQty', { id: '2', delta: 5 });
        const change = await client.next(frame => frame.channel === 'widgets:2');
        // The next offset after where Subscribed said the channel stood.
        assert.deepEqual(positioned(change), {
          event: 'WidgetQtyChanged',
          channel: 'widgets:2',
          payload: { qty: 7 },
          mq: { e: 'widgets', rk: '2' },
          offset: (allowed.payload.offset as number) + 1,
        });
      } finally {
        client.close();
      }
    });
  });
}
