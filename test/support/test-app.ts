import type { INestApplication, LoggerService, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { WsAdapter } from '@nestjs/platform-ws';

/** The HTTP platforms the module supports. */
export type Platform = 'express' | 'fastify';
export const PLATFORMS: readonly Platform[] = ['express', 'fastify'];

/** A running app on a loopback port, with its HTTP and WebSocket base URLs. */
export interface TestApp {
  app: INestApplication;
  port: number;
  http: string;
  ws: string;
  close(): Promise<void>;
}

/** What a few specs set up besides: a port of their choosing, or a step before `listen` (a global prefix). */
export interface AppSetup {
  /** 0 (the default): any free port. */
  port?: number;
  beforeListen?(app: INestApplication): void;
}

/**
 * Starts a Nest app the way a user's main.ts does, on a free loopback port,
 * on Express (default) or Fastify. `logger` (a `CaptureLogger`) records what
 * it logs instead of printing errors.
 */
export async function startApp(
  module: Type | object,
  path = '/',
  platform: Platform = 'express',
  logger?: LoggerService,
  { port = 0, beforeListen }: AppSetup = {},
): Promise<TestApp> {
  const options = { logger: logger ?? ['error' as const], abortOnError: false };
  const app =
    platform === 'fastify'
      ? await NestFactory.create(module as Type, new FastifyAdapter(), options)
      : await NestFactory.create(module as Type, options);
  app.useWebSocketAdapter(new WsAdapter(app));
  beforeListen?.(app);
  await app.listen(port, '127.0.0.1');
  const actual = (app.getHttpServer().address() as { port: number }).port;
  const http = `http://127.0.0.1:${actual}`;
  const ws = `ws://127.0.0.1:${actual}${path}`;
  return { app, port: actual, http, ws, close: () => app.close() };
}

/** The cookie pair (`name=value`) a response set, ready for a `Cookie` header. */
export function cookieOf(response: Response): string {
  const header = response.headers.getSetCookie()[0];
  if (!header) throw new Error('The response set no cookie');
  return header.split(';')[0]!;
}

/** The socket-key cookie (`realtime_sk=...`) a response set, as `name=value`, if it set one. */
export function socketKeyCookie(response: Response): string | undefined {
  return cookiePairs(response).find(pair => pair.startsWith('realtime_sk='));
}

/** `name=value` of each `Set-Cookie` of a response. */
export function cookiePairs(response: Response): string[] {
  return response.headers.getSetCookie().map(cookie => cookie.split(';')[0]!);
}

/** A page's realtime identity as a browser would hold it: its id and its cookie. */
export interface PageIdentity {
  connectionId: string;
  digest: string;
  cookie: string;
}

/** Calls a fixture route that subscribes the caller, as a rendered page would. */
export async function subscribePage(server: TestApp, channels: string[], cookie?: string): Promise<PageIdentity> {
  const response = await fetch(`${server.http}/subscribe?channels=${encodeURIComponent(channels.join(','))}`, {
    headers: cookie ? { cookie } : {},
  });
  if (!response.ok) throw new Error(`subscribe failed: ${response.status} ${await response.text()}`);
  const { connectionId, digest } = (await response.json()) as { connectionId: string; digest: string };
  return { connectionId, digest, cookie: cookie ?? cookieOf(response) };
}

/** The headers of a later request from a page, which acts for it: its cookie and its id. */
export function actAs(page: { connectionId: string; cookie: string }): Record<string, string> {
  return { cookie: page.cookie, 'x-realtime-connection-id': page.connectionId };
}

/**
 * What a page holds, as the fixture's `GET /subscriptions` says when asked
 * with `headers` (by default, as the page): its channels, sorted, and the
 * socket-key cookie the answer set, if any (a revoked key gets a new one).
 */
export async function subscriptionsOf(
  server: TestApp,
  page: PageIdentity,
  headers: Record<string, string> = actAs(page),
): Promise<{ channels: string[]; cookie: string | undefined }> {
  const response = await fetch(`${server.http}/subscriptions`, { headers });
  return { channels: ((await response.json()) as { channels: string[] }).channels.sort(), cookie: socketKeyCookie(response) };
}

/** POSTs JSON to the fixture app and returns the parsed answer. */
export async function post(server: TestApp, path: string, body: unknown, headers: Record<string, string> = {}): Promise<any> {
  const response = await fetch(`${server.http}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path} failed: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}
