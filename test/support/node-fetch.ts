import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';

/** Statuses whose responses carry no body (a `Response` refuses one). */
const NO_BODY = new Set([101, 204, 205, 304]);

/**
 * `fetch` for a stream, over a connection of its own (`node:http`, no agent):
 * closed when the response ends or is aborted, with no pooled connection left
 * behind (undici's `fetch` keeps a spare one open after an aborted stream,
 * which a Fastify server then waits for on close).
 */
export function nodeFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const url = new URL(input instanceof Request ? input.url : String(input));
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, name) => (headers[name] = value));
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: init.method ?? 'GET', headers, agent: false }, response => {
      const answer = new Headers();
      for (const [name, value] of Object.entries(response.headers)) {
        for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) answer.append(name, item);
      }
      const status = response.statusCode ?? 502;
      const body = NO_BODY.has(status) ? null : (Readable.toWeb(response) as ReadableStream<Uint8Array>);
      resolve(new Response(body, { status, headers: answer }));
    });
    request.on('error', reject);
    const abort = () => request.destroy(new DOMException('The request was aborted', 'AbortError'));
    if (init.signal?.aborted) abort();
    else init.signal?.addEventListener('abort', abort, { once: true });
    request.end();
  });
}
