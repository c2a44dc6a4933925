import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { appendSetCookie, injectConnectionId } from '../../src/identity/index.js';

const ID = 'a'.repeat(64);
const MARK = ` data-socket-connection-id="${ID}"`;

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * The injector on a bare Node server, with each route writing its response
 * the way one platform or another does.
 */
describe('injectConnectionId on a bare Node server', () => {
  let server: Server;
  let base: string;
  const routes = new Map<string, Handler>();

  before(async () => {
    server = createServer((request, response) => {
      injectConnectionId(request, response, () => {
        appendSetCookie(response, 'realtime_sk=key; Path=/');
        return ID;
      });
      routes.get(request.url!)!(request, response);
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>(resolve => server.close(() => resolve())));

  it("merges headers given to writeHead in Node's flat form, Set-Cookie with the module's", async () => {
    const page = '<html><body><p>x</p></body></html>';
    routes.set('/flat', (_request, response) => {
      response.setHeader('x-before', '1');
      response.writeHead(201, 'Made', ['content-type', 'text/html', 'content-length', String(page.length), 'set-cookie', 'theme=dark']);
      response.end(page);
    });
    const response = await fetch(`${base}/flat`);
    assert.equal(response.status, 201);
    assert.equal(response.statusText, 'Made');
    assert.equal(await response.text(), page.replace('<body', `<body${MARK}`));
    assert.equal(response.headers.get('content-length'), String(page.length + MARK.length));
    assert.equal(response.headers.get('x-before'), '1');
    assert.deepEqual(response.headers.getSetCookie().sort(), ['realtime_sk=key; Path=/', 'theme=dark']);
  });

  it('keeps a character cut at the end of the first chunk whole, and counts every chunk', async () => {
    const head = Buffer.from('<html><body>caf');
    const tail = Buffer.from('é</body></html>');
    // 'é' is two bytes in UTF-8: the first chunk ends with its first byte.
    const first = Buffer.concat([head, tail.subarray(0, 1)]);
    const rest = tail.subarray(1);
    routes.set('/chunks', (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': first.length + rest.length });
      response.write(first);
      response.end(rest);
    });
    const response = await fetch(`${base}/chunks`);
    const body = Buffer.from(await response.arrayBuffer());
    assert.equal(body.toString('utf8'), `<html><body${MARK}>café</body></html>`);
    assert.equal(Number(response.headers.get('content-length')), body.length);
    assert.equal(response.headers.get('cache-control'), 'no-store');
  });

  it('does not hold the head of a response that is not a page', async () => {
    let finish!: () => void;
    const finished = new Promise<void>(resolve => (finish = resolve));
    routes.set('/events', (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.flushHeaders();
      void finished.then(() => response.end('data: done\n\n'));
    });
    // fetch resolves once the head arrived, which is before any body was written.
    const response = await fetch(`${base}/events`);
    assert.equal(response.headers.get('content-type'), 'text/event-stream');
    assert.equal(response.headers.get('cache-control'), null);
    finish();
    assert.equal(await response.text(), 'data: done\n\n');
  });

  it('sends a held head when the page ends without a body', async () => {
    routes.set('/empty', (_request, response) => {
      response.writeHead(404, { 'content-type': 'text/html' });
      response.end();
    });
    const response = await fetch(`${base}/empty`);
    assert.equal(response.status, 404);
    assert.equal(await response.text(), '');
  });
});
