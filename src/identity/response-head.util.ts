import type { OutgoingHttpHeader, OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** What `writeHead(status, [reason], [headers])` may be given after the status. */
export interface HeadArguments {
  reason?: string;
  headers?: OutgoingHttpHeaders | OutgoingHttpHeader[];
}

/** Splits the arguments of `writeHead` after the status code, as Node reads them. */
export function headArguments(rest: readonly unknown[]): HeadArguments {
  return typeof rest[0] === 'string'
    ? { reason: rest[0], headers: rest[1] as HeadArguments['headers'] }
    : { headers: rest[0] as HeadArguments['headers'] };
}

/** Adds `Set-Cookie` values to those the response already holds, leaving out exact repeats. */
export function addSetCookie(response: ServerResponse, values: OutgoingHttpHeader): void {
  const current = response.getHeader('set-cookie');
  const list = current === undefined ? [] : Array.isArray(current) ? current.map(String) : [String(current)];
  for (const value of Array.isArray(values) ? values : [values]) {
    if (!list.includes(String(value))) list.push(String(value));
  }
  response.setHeader('set-cookie', list);
}

/** Drops the `Set-Cookie` values a response holds for one cookie name. */
export function removeSetCookie(response: ServerResponse, name: string): void {
  const current = response.getHeader('set-cookie');
  if (current === undefined) return;
  const list = (Array.isArray(current) ? current.map(String) : [String(current)]).filter(value => !value.startsWith(`${name}=`));
  if (list.length === 0) response.removeHeader('set-cookie');
  else response.setHeader('set-cookie', list);
}

/**
 * Moves the headers given to `writeHead(status, headers)` into the response's
 * own header list, where `getHeader()` sees them. Each replaces its namesake,
 * as Node does, except `Set-Cookie`, whose values are added to those already
 * set.
 */
export function absorbHeadHeaders(response: ServerResponse, headers: HeadArguments['headers']): void {
  if (!headers) return;
  const pairs: Array<[unknown, unknown]> = [];
  if (Array.isArray(headers)) {
    // Node's raw form: [name, value, name, value, ...].
    for (let index = 0; index + 1 < headers.length; index += 2) pairs.push([headers[index], headers[index + 1]]);
  } else {
    pairs.push(...Object.entries(headers));
  }
  for (const [name, value] of pairs) {
    if (typeof name !== 'string' || !name || value === undefined) continue;
    if (name.toLowerCase() === 'set-cookie') addSetCookie(response, value as OutgoingHttpHeader);
    else response.setHeader(name, value as OutgoingHttpHeader);
  }
}

/** Calls a `writeHead` with the status and reason only: the headers are already on the response. */
export function callWriteHead(
  writeHead: ServerResponse['writeHead'],
  response: ServerResponse,
  statusCode: number,
  reason: string | undefined,
): ServerResponse {
  const call = writeHead as (this: ServerResponse, statusCode: number, reason?: string) => ServerResponse;
  return reason === undefined ? call.call(response, statusCode) : call.call(response, statusCode, reason);
}

const MERGES_HEAD = Symbol('nestjs-realtime:merges-head');

/**
 * Adds a `Set-Cookie` value to a response so that it is sent whichever
 * platform sends the head.
 *
 * NOTE: Fastify sends its reply's headers with `writeHead(status, headers)`,
 * and Node lets those replace the ones set with `setHeader()` under the same
 * name: a cookie the app set on the Fastify reply would drop this one. So
 * `writeHead` is wrapped, once per response, to add the cookies it is given to
 * the ones already there. On Express, which calls `writeHead(status)` alone,
 * the wrapper has nothing to merge.
 */
export function appendSetCookie(response: ServerResponse, cookie: string): void {
  const marked = response as ServerResponse & { [MERGES_HEAD]?: true };
  if (!marked[MERGES_HEAD]) {
    marked[MERGES_HEAD] = true;
    const writeHead = response.writeHead;
    response.writeHead = function mergingWriteHead(statusCode: number, ...rest: unknown[]) {
      const { reason, headers } = headArguments(rest);
      absorbHeadHeaders(response, headers);
      return callWriteHead(writeHead, response, statusCode, reason);
    } as ServerResponse['writeHead'];
  }
  addSetCookie(response, cookie);
}
