import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Where the build puts the one-file client, relative to this compiled file. */
const BUNDLE = new URL('../client/nestjs-realtime-client.js', import.meta.url);

interface Script {
  body: Buffer;
  etag: string;
}

/** The path of a request as the client sent it, before any mount point was cut off. */
export function requestPath(request: IncomingMessage): string {
  // Express and Fastify's middie keep the full URL as `originalUrl` when they strip a mount path from `url`.
  const url = (request as IncomingMessage & { originalUrl?: string }).originalUrl ?? request.url ?? '/';
  const query = url.search(/[?#]/);
  return query < 0 ? url : url.slice(0, query);
}

/** Whether an `If-None-Match` header names this ETag (or any, `*`); a weak match is enough (RFC 9110). */
function matches(header: string | undefined, etag: string): boolean {
  return (header ?? '').split(',').some(tag => {
    const candidate = tag.trim();
    return candidate === '*' || candidate.replace(/^W\//, '') === etag;
  });
}

/**
 * Serves the browser client (`nestjs-realtime/client` built into one ES
 * module) at `path` (`serveClient`'s), so a page can
 * `import { RealtimeSocket } from '/realtime/client.js'`. Read once, on the
 * first request; revalidated with an ETag.
 *
 * It is plain Node middleware, `(request, response, next)`, that passes on
 * every request for another path: it may be mounted for every request, on
 * Express or on Fastify (middie).
 */
export function createClientScriptMiddleware(
  path: string,
): (request: IncomingMessage, response: ServerResponse, next: () => void) => void {
  let script: Script | undefined;
  return (request, response, next) => {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || requestPath(request) !== path) return next();
    if (!script) {
      const body = readFileSync(BUNDLE);
      script = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
    }
    response.setHeader('content-type', 'text/javascript; charset=utf-8');
    response.setHeader('cache-control', 'no-cache');
    response.setHeader('etag', script.etag);
    if (matches(request.headers['if-none-match'], script.etag)) {
      response.statusCode = 304;
      response.end();
      return;
    }
    response.setHeader('content-length', script.body.length);
    response.end(request.method === 'HEAD' ? undefined : script.body);
  };
}
