import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Where the build puts the one-file client, relative to this compiled file. */
const BUNDLE = new URL('../client/nestjs-realtime-client.js', import.meta.url);

interface Script {
  body: Buffer;
  etag: string;
}

/**
 * Serves the browser client (`nestjs-realtime/client` built into one ES
 * module) at `serveClient`'s path, so a page can
 * `import { RealtimeSocket } from '/realtime/client.js'`. Read once, on the
 * first request; revalidated with an ETag.
 */
export function createClientScriptMiddleware(): (request: IncomingMessage, response: ServerResponse, next: () => void) => void {
  let script: Script | undefined;
  return (request, response, next) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return next();
    if (!script) {
      const body = readFileSync(BUNDLE);
      script = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
    }
    response.setHeader('content-type', 'text/javascript; charset=utf-8');
    response.setHeader('cache-control', 'no-cache');
    response.setHeader('etag', script.etag);
    if (request.headers['if-none-match'] === script.etag) {
      response.statusCode = 304;
      response.end();
      return;
    }
    response.setHeader('content-length', script.body.length);
    response.end(request.method === 'HEAD' ? undefined : script.body);
  };
}
