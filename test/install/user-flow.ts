import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import type { AppProcess } from '../support/app-process.js';
import { connectPage as connectPageSocket } from '../support/page-socket.js';
import { TestClient } from '../support/ws-client.js';
import { EPOCH } from '../support/positioned.js';

/**
 * Fails unless `actual` is the expected status, with the response and what the
 * app logged (the cause of a 500 is only there).
 *
 * NOTE: Nest logs an unexpected error after it has replied, so the log line
 * can trail the response: one more request to the app lets it arrive first.
 */
async function expectStatus(app: AppProcess, actual: number, expected: number, response: unknown): Promise<void> {
  if (actual === expected) return;
  await fetch(`${app.http}/realtime/client.js`, { method: 'HEAD' }).catch(() => undefined);
  assert.fail(`status ${actual}, expected ${expected}: ${JSON.stringify(response)}\napp stderr:\n${app.output()}`);
}

/** A page as a browser got it: its connection id and its socket-key cookie. */
export interface Page {
  connectionId: string;
  cookie: string;
}

/**
 * GETs an HTML page as a browser does, and checks what a browser gets: the
 * signed socket-key cookie and `<body data-socket-connection-id="...">`.
 */
export async function openPage(app: AppProcess, path: string): Promise<Page> {
  const response = await fetch(`${app.http}${path}`, { headers: { accept: 'text/html' } });
  const html = await response.text();
  await expectStatus(app, response.status, 200, html);
  assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
  const setCookie = response.headers.getSetCookie();
  assert.equal(setCookie.length, 1, `one Set-Cookie, got ${JSON.stringify(setCookie)}`);
  assert.match(setCookie[0]!, /^realtime_sk=[0-9a-f]{64}\.[A-Za-z0-9_-]+; Path=\/; HttpOnly; SameSite=Lax$/);
  const match = html.match(/<body data-socket-connection-id="([0-9a-f]{64})">/);
  assert.ok(match, `no data-socket-connection-id on <body>:\n${html}`);
  return { connectionId: match[1]!, cookie: setCookie[0]!.split(';')[0]! };
}

/** GETs a room's page, which subscribes it to `room:<room>` while it renders. */
export function openRoomPage(app: AppProcess, room: string): Promise<Page> {
  return openPage(app, `/rooms/${room}`);
}

/** Connects a real `ws` client as the page's script would, and checks its Welcome. */
export async function connectPage(app: AppProcess, page: Page, channels: string[]): Promise<TestClient> {
  const client = await connectPageSocket(app, page);
  assert.equal(client.welcome.payload.id, page.connectionId);
  assert.deepEqual([...client.welcome.payload.channels].sort(), [...channels].sort(), 'Welcome lists what the page route subscribed');
  return client;
}

/** What `ChannelService.push` answered. */
export interface Receipt {
  channels: string[];
  localDeliveries: number;
  status: 'published' | 'queued' | 'duplicate';
}

/** POSTs a message to a room, as a form or fetch would, and returns the push receipt. */
export async function say(app: AppProcess, room: string, text: string): Promise<Receipt> {
  const response = await fetch(`${app.http}/rooms/${room}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text }),
  });
  const body = await response.text();
  await expectStatus(app, response.status, 201, body);
  return JSON.parse(body) as Receipt;
}

/** Waits for the push of `text` to a room. */
export async function heard(client: TestClient, room: string, text: string): Promise<void> {
  const frame = await client.next(candidate => candidate.channel === `room:${room}` && candidate.payload?.text === text);
  const { epoch, offset, ...rest } = frame;
  assert.deepEqual(rest, { event: 'Said', channel: `room:${room}`, payload: { text } });
  assert.match(String(epoch), EPOCH, 'the push carries its channel epoch');
  assert.ok(Number.isSafeInteger(offset) && offset >= 1, `and its offset (${offset})`);
}

/** A running app process and the fresh app dir it runs from. */
export interface FlowTarget {
  server: AppProcess;
  dir: string;
}

/**
 * Registers the whole flow as a user of the app sees it, one test per step,
 * each with its own page or socket so that one broken step does not hide the
 * others: pages, a page's socket and a push from an HTTP route, a custom
 * action with its tag, routes called over the socket, and the served browser
 * client (compared with the file in the app's own node_modules).
 */
export function itServesTheUserFlow(target: () => FlowTarget, room: string): void {
  it('GET a page that subscribes (@RealtimeClient): the socket-key cookie, and a connection id on <body>', async () => {
    await openRoomPage(target().server, room);
  });

  it('GET a page that does not: the cookie and an id on <body> too (injectConnectionId)', async () => {
    await openPage(target().server, `/rooms/${room}/about`);
  });

  it("the page's socket gets Welcome with its channels, and a POST pushes to it", async () => {
    const { server } = target();
    const page = await openRoomPage(server, room);
    const client = await connectPage(server, page, [`room:${room}`]);
    try {
      assert.deepEqual(await say(server, room, 'hello'), { channels: [`room:${room}`], localDeliveries: 1, status: 'published' });
      await heard(client, room, 'hello');
    } finally {
      client.close();
    }
  });

  it("a @RealtimeHandler action answers with the caller's tag", async () => {
    const client = await TestClient.connect(target().server.ws);
    try {
      const echoed = client.next(frame => frame.tag === 1);
      client.send({ action: 'Echo', tag: 1, payload: { text: 'ping' } });
      assert.deepEqual(await echoed, {
        event: 'Echo',
        tag: 1,
        payload: { echoed: { text: 'ping' }, connectionId: client.welcome.payload.id },
      });
    } finally {
      client.close();
    }
  });

  it('call-route runs routes as the calling connection, and what they push reaches it', async () => {
    const { server } = target();
    const client = await TestClient.connect(server.ws);
    // Its own room: a closed socket of another test may still count as a delivery here.
    const calls = `${room}-calls`;
    try {
      const me = await client.callRoute('get', `/rooms/${calls}/me`);
      await expectStatus(server, me.status, 200, me);
      assert.deepEqual(me.body, { connectionId: client.welcome.payload.id });
      // The page route subscribes its client: over the socket, this connection.
      const page = await client.callRoute('get', `/rooms/${calls}`);
      await expectStatus(server, page.status, 200, page);
      const posted = await client.callRoute('post', `/rooms/${calls}/messages`, { text: 'over the socket' });
      await expectStatus(server, posted.status, 201, posted);
      assert.deepEqual(posted.body, { channels: [`room:${calls}`], localDeliveries: 1, status: 'published' });
      await heard(client, calls, 'over the socket');
    } finally {
      client.close();
    }
  });

  it('serves the browser client at /realtime/client.js', async () => {
    const { server, dir } = target();
    const script = await fetch(`${server.http}/realtime/client.js`);
    const body = await script.text();
    await expectStatus(server, script.status, 200, body);
    assert.match(script.headers.get('content-type') ?? '', /^text\/javascript/);
    const installed = readFileSync(join(dir, 'node_modules', 'nestjs-realtime', 'dist', 'client', 'nestjs-realtime-client.js'), 'utf8');
    assert.equal(body, installed);
  });
}
