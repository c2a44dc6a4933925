import type { IncomingMessage, ServerResponse } from 'node:http';

const BODY_TAG = /<body(?=[\s>\/])/i;

type Chunk = string | Buffer | Uint8Array;

/**
 * Writes `data-socket-connection-id="<id>"` onto the `<body>` tag of an HTML
 * response, as pakyow does, by rewriting the first chunk of a `text/html` body.
 *
 * NOTE: the page carries a connection id that is new for this response, so a
 * cached copy would connect with a stale one. A browser's page request
 * (`Accept: text/html`) therefore loses its conditional headers (no 304 for a
 * page), and a rewritten page is sent with `Cache-Control: no-store`.
 */
export function injectConnectionId(
  request: IncomingMessage,
  response: ServerResponse,
  connectionId: () => string,
): void {
  if (request.method !== 'GET' && request.method !== 'HEAD') return;
  if (String(request.headers.accept ?? '').includes('text/html')) {
    delete request.headers['if-none-match'];
    delete request.headers['if-modified-since'];
  }

  let first = true;
  const write = response.write.bind(response) as (...args: unknown[]) => boolean;
  const end = response.end.bind(response) as (...args: unknown[]) => ServerResponse;

  const rewrite = (chunk: unknown, encoding: unknown): unknown => {
    if (!first || chunk == null || typeof chunk === 'function') return chunk;
    first = false;
    const type = String(response.getHeader('content-type') ?? '');
    if (!type.includes('text/html')) return chunk;
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString(
      typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
    );
    if (!BODY_TAG.test(text)) return chunk;
    const rewritten = text.replace(BODY_TAG, `<body data-socket-connection-id="${connectionId()}"`);
    if (!response.headersSent) {
      response.setHeader('cache-control', 'no-store');
      response.removeHeader('etag');
      if (response.hasHeader('content-length')) {
        response.setHeader('content-length', Buffer.byteLength(rewritten));
      }
    }
    return typeof chunk === 'string' ? rewritten : Buffer.from(rewritten);
  };

  response.write = ((chunk: Chunk, ...rest: unknown[]) =>
    write(rewrite(chunk, rest[0]), ...rest)) as ServerResponse['write'];
  response.end = ((chunk?: unknown, ...rest: unknown[]) =>
    end(rewrite(chunk, rest[0]), ...rest)) as ServerResponse['end'];
}
