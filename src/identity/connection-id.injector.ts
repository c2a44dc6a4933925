import type { IncomingMessage, ServerResponse } from 'node:http';
import { CONNECTION_ID_ATTRIBUTE } from '../protocol/identity-names.js';
import { absorbHeadHeaders, callWriteHead, headArguments } from './response-head.util.js';

const BODY_TAG = /<body(?=[\s>\/])/i;
const BODY_TAG_LENGTH = '<body'.length;

function isHtml(response: ServerResponse): boolean {
  return String(response.getHeader('content-type') ?? '').includes('text/html');
}

/**
 * Whether a response with this status is a page a browser renders: not 1xx or
 * 204 (no body), and not 3xx (304 has no body; a redirect's few words of HTML
 * are never shown, so they get no id and no cookie).
 */
function isPageStatus(statusCode: number): boolean {
  return statusCode >= 200 && statusCode !== 204 && (statusCode < 300 || statusCode >= 400);
}

/** The attribute written after `<body`. */
function attribute(connectionId: string): string {
  return ` ${CONNECTION_ID_ATTRIBUTE}="${connectionId}"`;
}

/**
 * Writes `data-socket-connection-id="<id>"` onto the `<body>` tag of an HTML
 * page, as pakyow does, by rewriting the first chunk of a `text/html` body
 * (redirects and bodiless statuses are left alone).
 * Works as plain Node middleware on Express and on Fastify.
 *
 * NOTE: the page carries a connection id that is new for this response, so a
 * cached copy would connect with a stale one. A browser's page request
 * (`Accept: text/html`) therefore loses its conditional headers (no 304 for a
 * page), and a marked page is sent with `Cache-Control: no-store` and no ETag.
 *
 * NOTE: the head of an HTML response is held back until its first body chunk
 * (or its end), so that `Content-Length` can be fixed whichever way the
 * platform gave it: Express sets headers with `setHeader()` and lets `end()`
 * send the head; Fastify passes them to `writeHead(status, headers)` just
 * before the body. The held `writeHead` moves its headers onto the response,
 * and the real one is called once the body is marked.
 *
 * NOTE: a HEAD response has no body to look at, so its headers are those of
 * the marked page (`Content-Length` grown by the attribute, `no-store`, the
 * cookie): exact for every page with a `<body>` tag.
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

  const writeHead = response.writeHead;
  const write = response.write;
  const end = response.end;
  /** Set once the body's first chunk (or its end) went by, or the response turned out not to be a page. */
  let settled = false;
  let held: { statusCode: number; reason?: string } | undefined;

  const markHeaders = (added: number): void => {
    response.setHeader('cache-control', 'no-store');
    response.removeHeader('etag');
    const length = Number(response.getHeader('content-length') ?? Number.NaN);
    if (Number.isSafeInteger(length)) response.setHeader('content-length', length + added);
  };

  const mark = (chunk: unknown, encoding: unknown): unknown => {
    if (response.headersSent || !isHtml(response) || !isPageStatus(response.statusCode)) return chunk;
    if (chunk == null || typeof chunk === 'function') {
      if (request.method === 'HEAD') markHeaders(Buffer.byteLength(attribute(connectionId())));
      return chunk;
    }
    if (typeof chunk === 'string') {
      const match = BODY_TAG.exec(chunk);
      if (!match) return chunk;
      const at = match.index + BODY_TAG_LENGTH;
      const marked = chunk.slice(0, at) + attribute(connectionId()) + chunk.slice(at);
      const charset = typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8';
      markHeaders(Buffer.byteLength(marked, charset) - Buffer.byteLength(chunk, charset));
      return marked;
    }
    const bytes = Buffer.from(chunk as Uint8Array);
    // latin1 maps every byte to one character, so the match index is a byte
    // offset, and a multibyte character cut at the chunk's end stays intact.
    const match = BODY_TAG.exec(bytes.toString('latin1'));
    if (!match) return chunk;
    const at = match.index + BODY_TAG_LENGTH;
    const inserted = Buffer.from(attribute(connectionId()));
    markHeaders(inserted.length);
    return Buffer.concat([bytes.subarray(0, at), inserted, bytes.subarray(at)]);
  };

  /** Marks the first chunk, then sends the held head, if any. */
  const settle = (chunk: unknown, encoding: unknown): unknown => {
    if (settled) return chunk;
    settled = true;
    const result = mark(chunk, encoding);
    if (held) {
      const { statusCode, reason } = held;
      held = undefined;
      callWriteHead(writeHead, response, statusCode, reason);
    }
    return result;
  };

  response.writeHead = function holdingWriteHead(statusCode: number, ...rest: unknown[]) {
    const { reason, headers } = headArguments(rest);
    absorbHeadHeaders(response, headers);
    if (!settled && isHtml(response)) {
      held = { statusCode, reason };
      response.statusCode = statusCode;
      if (reason !== undefined) response.statusMessage = reason;
      return response;
    }
    settled = true;
    return callWriteHead(writeHead, response, statusCode, reason);
  } as ServerResponse['writeHead'];
  response.write = function markingWrite(chunk: unknown, ...rest: unknown[]) {
    return (write as (...args: unknown[]) => boolean).call(response, settle(chunk, rest[0]), ...rest);
  } as ServerResponse['write'];
  response.end = function markingEnd(chunk?: unknown, ...rest: unknown[]) {
    return (end as (...args: unknown[]) => ServerResponse).call(response, settle(chunk, rest[0]), ...rest);
  } as ServerResponse['end'];
}
