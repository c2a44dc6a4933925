import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../support/free-port.js';
import { TestClient } from '../support/ws-client.js';

/** The sample app as `npm start` runs it, on the embedded default. */
describe('sample app (npm start)', () => {
  let child: ChildProcess;
  let base: string;

  before(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ['.build/sample/src/main.js'], {
      env: { ...process.env, PORT: String(port), REALTIME_SECRET: 'sample-test-secret-0123' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    for await (const chunk of child.stdout!) {
      output += String(chunk);
      if (output.includes('Listening on')) break;
    }
  });

  after(async () => {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  });

  it('renders a page whose connection id receives what is posted', async () => {
    const page = await fetch(`${base}/`);
    const html = await page.text();
    const id = html.match(/<body[^>]* data-socket-connection-id="([0-9a-f]{64})"/)?.[1];
    assert.ok(id, 'the page carries its connection id');
    const cookie = page.headers.getSetCookie()[0]!.split(';')[0]!;
    const client = await TestClient.connect(`${base.replace('http', 'ws')}/?socket_connection_id=${id}`, {
      headers: { cookie },
    });
    const posted = await fetch(`${base}/news`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Realtime is live' }),
    });
    assert.equal(posted.status, 201);
    const push = await client.next(frame => frame.channel === 'news');
    assert.equal(push.event, 'NewsPosted');
    assert.equal(push.payload.text, 'Realtime is live');
    const refused = await fetch(`${base}/news`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: '' }),
    });
    assert.equal(refused.status, 400);
    client.close();
  });
});
