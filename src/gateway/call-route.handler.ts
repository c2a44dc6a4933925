import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { CONNECTION_ID_HEADER, SOCKET_KEY_HEADER } from '../identity/identity-headers.js';
import { CONNECTION_ID_PARAM } from '../protocol/identity-names.js';
import type { ResolvedRealtimeOptions } from '../interfaces/realtime-module-options.interface.js';
import { CALL_ROUTE_HEADER } from '../protocol/header-names.js';
import { REALTIME_OPTIONS } from '../realtime.constants.js';
import type { WsRealtimeConnection } from './ws-realtime.connection.js';

/**
 * What a route call answers: pakyow's `{status, headers, body}` (the id is
 * added by the caller). `body` is the parsed JSON of a JSON response, else an
 * array holding the text.
 */
export interface RouteCallResult {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);
const BODYLESS = new Set(['GET', 'HEAD', 'DELETE']);
/** Headers of the upgrade request that the route call carries on. */
const FORWARDED = ['cookie', 'authorization', 'user-agent', 'accept-language'] as const;
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection']);
const TIMEOUT_MS = 30_000;
/** Headers one call may set (`headers`), and how long each value may be. */
const MAX_CALLER_HEADERS = 16;
const MAX_HEADER_VALUE = 8192;
/** What Node accepts in a header value: tabs and visible characters, no CR or LF. */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const MAX_BODY_BYTES = 1024 * 1024;

function titleCase(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase());
}

function fail(status: number, error: string, message: string): RouteCallResult {
  return { status, headers: {}, body: { error, message } };
}

/**
 * pakyow's `call-route`: a client calls any HTTP route of the app over its
 * socket. The call is a real HTTP request to the app itself, over loopback,
 * so it goes through the whole pipeline (middleware, guards, pipes,
 * interceptors, filters) on any platform. It carries the socket's cookies and
 * its identity, so `@RealtimeClient()` in the route is the calling connection:
 * a `ChannelService.subscribe` there subscribes that socket. A call may set
 * the headers `callRouteHeaders` allows (`Authorization`, by default), for
 * routes behind a guard that reads them: a browser cannot set headers on a
 * WebSocket upgrade.
 */
@Injectable()
export class CallRouteHandler implements OnApplicationShutdown {
  private readonly httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 16 });
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 16, rejectUnauthorized: false });

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(REALTIME_OPTIONS) private readonly options: ResolvedRealtimeOptions,
  ) {}

  async call(connection: WsRealtimeConnection, message: Record<string, unknown>): Promise<RouteCallResult> {
    const { uri, input } = message;
    // A form without a method attribute sends `method: null` (Ring's mutable.js): GET, as a browser would.
    const rawMethod = message.method ?? 'get';
    if (typeof uri !== 'string' || !uri.startsWith('/') || uri.startsWith('//') || uri.length > 2048) {
      return fail(400, 'InvalidPayload', 'uri must be a path of this app, such as /widgets/1');
    }
    const method = typeof rawMethod === 'string' ? rawMethod.toUpperCase() : '';
    if (!METHODS.has(method)) return fail(405, 'InvalidPayload', `method must be one of ${[...METHODS].join(', ')}`);
    if (input !== undefined && (typeof input !== 'object' || input === null || Array.isArray(input))) {
      return fail(400, 'InvalidPayload', 'input must be an object');
    }
    const extra = this.callerHeaders(message.headers);
    if (typeof extra === 'string') return fail(400, 'InvalidPayload', extra);
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    const address = server?.address();
    if (!server || !address) return fail(503, 'Unavailable', 'The HTTP server is not listening');

    const params = { ...(input as Record<string, unknown> | undefined) };
    // Ring sends its connection id in `input`; the socket's own identity wins.
    delete params[CONNECTION_ID_PARAM];
    const url = new URL(uri, 'http://self');
    let body: Buffer | undefined;
    if (BODYLESS.has(method)) {
      for (const [key, value] of Object.entries(params)) {
        for (const item of Array.isArray(value) ? value : [value]) {
          url.searchParams.append(key, typeof item === 'object' && item !== null ? JSON.stringify(item) : String(item));
        }
      }
    } else {
      body = Buffer.from(JSON.stringify(params));
    }
    const headers: Record<string, string> = {
      accept: 'application/json, text/html;q=0.9, */*;q=0.8',
      [CONNECTION_ID_HEADER]: connection.connectionId,
      [SOCKET_KEY_HEADER]: connection.keyForSelfRequest(),
      [CALL_ROUTE_HEADER]: '1',
    };
    for (const name of FORWARDED) {
      const value = connection.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    Object.assign(headers, extra);
    if (connection.remoteAddress) headers['x-forwarded-for'] = connection.remoteAddress;
    if (body) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(body.length);
    }
    return this.send(server, address, method, url.pathname + url.search, headers, body);
  }

  /**
   * The headers a client set on its call (`headers`), checked against
   * `callRouteHeaders`: a map of lower-case names, or the refusal's message.
   */
  private callerHeaders(raw: unknown): Record<string, string> | string {
    if (raw === undefined || raw === null) return {};
    if (typeof raw !== 'object' || Array.isArray(raw)) return 'headers must be an object of strings';
    const entries = Object.entries(raw as Record<string, unknown>);
    if (entries.length > MAX_CALLER_HEADERS) return `a route call may set at most ${MAX_CALLER_HEADERS} headers`;
    const allowed = this.options.callRouteHeaders;
    const headers: Record<string, string> = {};
    for (const [rawName, value] of entries) {
      const name = rawName.toLowerCase();
      if (!allowed.includes(name)) {
        return `header ${JSON.stringify(rawName.slice(0, 64))} may not be set on a route call (allowed: ${allowed.join(', ') || 'none'})`;
      }
      if (typeof value !== 'string' || value.length > MAX_HEADER_VALUE || !HEADER_VALUE.test(value)) {
        return `header ${JSON.stringify(name)} must be a string of at most ${MAX_HEADER_VALUE} printable characters`;
      }
      headers[name] = value;
    }
    return headers;
  }

  onApplicationShutdown(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private send(
    server: Server,
    address: AddressInfo | string,
    method: string,
    path: string,
    headers: Record<string, string>,
    body: Buffer | undefined,
  ): Promise<RouteCallResult> {
    const secure = server instanceof HttpsServer;
    const target =
      typeof address === 'string'
        ? { socketPath: address }
        : { host: ['::', '0.0.0.0'].includes(address.address) ? (address.family === 'IPv6' ? '::1' : '127.0.0.1') : address.address, port: address.port };
    return new Promise(resolve => {
      const request = (secure ? httpsRequest : httpRequest)(
        { ...target, method, path, headers, agent: secure ? this.httpsAgent : this.httpAgent, timeout: TIMEOUT_MS },
        response => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_BODY_BYTES) {
              response.destroy();
              resolve(fail(502, 'ResponseTooLarge', `The route answered more than ${MAX_BODY_BYTES} bytes`));
              return;
            }
            chunks.push(chunk);
          });
          response.on('end', () => resolve(this.result(response.statusCode ?? 500, response.headers, Buffer.concat(chunks))));
          response.on('error', () => resolve(fail(502, 'RouteFailed', 'The route call broke off')));
        },
      );
      request.on('timeout', () => request.destroy(new Error('timeout')));
      request.on('error', error =>
        resolve(error.message === 'timeout' ? fail(504, 'Timeout', 'The route did not answer in time') : fail(502, 'RouteFailed', 'The route could not be called')),
      );
      request.end(body);
    });
  }

  private result(status: number, raw: IncomingHttpHeaders, payload: Buffer): RouteCallResult {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(raw)) {
      if (value === undefined || HOP_BY_HOP.has(name)) continue;
      headers[titleCase(name)] = Array.isArray(value) ? value.join(', ') : value;
    }
    const text = payload.toString('utf8');
    // pakyow 0.11 answered with the Rack body, an array of strings, and Ring's
    // navigator reads `body[0]`; JSON comes back parsed, as its example app shows.
    let body: unknown = [text];
    if (/\bjson\b/.test(String(raw['content-type'] ?? '')) && text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = [text];
      }
    }
    return { status, headers, body };
  }
}
