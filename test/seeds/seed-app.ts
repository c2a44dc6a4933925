/**
 * What the seed conformance specs run against: the shared fixture app plus a
 * few routes shaped like the ones the seeds' clients call (pakyow's example
 * app: a page that subscribes while rendering, `/greet/:name`, a redirect, a
 * route that subscribes the caller), started on a port of our choosing so a
 * "restarted server" can come back where the clients expect it.
 */
import { Body, Controller, Get, Header, Module, Param, Post, Query, Redirect, type DynamicModule } from '@nestjs/common';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { ChannelService, RealtimeClient, type RealtimeClientRef, type RealtimeModuleOptions } from 'nestjs-realtime';
import { fixtureModule } from '../fixtures/fixture.module.js';
import { startApp, type TestApp } from '../support/test-app.js';

/** Routes a pakyow app would have, for Ring's page load and call-route. */
@Controller('seeds')
export class SeedRoutesController {
  constructor(private readonly channels: ChannelService) {}

  /** An HTML page that subscribes its own connection id while rendering (pakyow's `socket.subscribe` in a view route). */
  @Get('page')
  @Header('content-type', 'text/html; charset=utf-8')
  async page(@Query('channels') channels: string | undefined, @RealtimeClient() client: RealtimeClientRef) {
    if (channels) await this.channels.subscribe(client, channels.split(','));
    return '<!DOCTYPE html>\n<html><head><title>seed page</title></head>\n<body>\n<ul data-channel="foo"></ul>\n</body></html>\n';
  }

  /** The example app's `GET /greet/:name`, taking an optional `punctuation` param. */
  @Get('greet/:name')
  greet(@Param('name') name: string, @Query('punctuation') punctuation: string | undefined) {
    return { greeting: `hello ${name}${punctuation ?? ''}` };
  }

  @Get('text')
  @Header('content-type', 'text/plain; charset=utf-8')
  text() {
    return 'plain words';
  }

  /** A route that redirects (Ring's mutable.js follows `headers.Location` on 302). */
  @Get('old')
  @Redirect('/seeds/new', 302)
  old() {}

  /** A form post, as mutable.js sends it, answered with a redirect to what it made. */
  @Post('widgets')
  @Redirect('/seeds/widgets', 302)
  create(@Body() body: { widget?: { name?: string } }) {
    return { url: `/seeds/widgets/${encodeURIComponent(body.widget?.name ?? 'unnamed')}` };
  }

  /** Subscribes the caller to a channel (pakyow's `socket.subscribe` in a route called over the socket). */
  @Get('follow/:channel')
  async follow(@Param('channel') channel: string, @RealtimeClient() client: RealtimeClientRef) {
    await this.channels.subscribe(client, channel);
    return { following: channel };
  }
}

/** The fixture app with the given options, plus the seed routes. */
export function seedModule(options: RealtimeModuleOptions = {}): DynamicModule {
  @Module({ imports: [fixtureModule(options)], controllers: [SeedRoutesController] })
  class SeedModule {}
  return { module: SeedModule };
}

/** Starts the seed app as a user's main.ts does, on `port` (0: any free one). */
export function startSeedApp(module: DynamicModule, port = 0): Promise<TestApp> {
  return startApp(module, '/', 'express', undefined, { port });
}

/** A page as a browser got it: its URL, its HTML, and the cookies it now holds for the origin. */
export interface LoadedPage {
  url: string;
  html: string;
  cookie: string | undefined;
}

/** Loads a page as a browser does (accepting HTML, sending and keeping cookies). */
export async function loadPage(url: string, cookie?: string): Promise<LoadedPage> {
  const headers: Record<string, string> = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
  if (cookie) headers.cookie = cookie;
  const response = await fetch(url, { headers });
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
  const html = await response.text();
  const jar = new Map<string, string>();
  for (const pair of (cookie ?? '').split(/;\s*/).filter(Boolean)) {
    const [name, ...rest] = pair.split('=');
    jar.set(name!, rest.join('='));
  }
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const [name, ...rest] = pair!.split('=');
    jar.set(name!.trim(), rest.join('='));
  }
  const jarText = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
  return { url, html, cookie: jarText || undefined };
}

/**
 * A TCP relay in front of the app: the clients connect through it, and `cut()`
 * drops every connection at once, as a network failure would, while the app
 * keeps running.
 */
export class LinkProxy {
  private readonly links = new Set<Socket>();
  private server: Server | undefined;
  port = 0;

  constructor(private readonly targetPort: number) {}

  async start(): Promise<this> {
    this.server = createServer(client => {
      const upstream = connect(this.targetPort, '127.0.0.1');
      for (const socket of [client, upstream]) {
        this.links.add(socket);
        socket.on('close', () => this.links.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>(resolve => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  get http(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Drops every open connection (the listener stays, so clients can come back). */
  cut(): void {
    for (const socket of this.links) socket.destroy();
    this.links.clear();
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise(resolve => this.server?.close(resolve));
  }
}
