/**
 * ============================================================================
 *  TYPE-LEVEL CHECKS OF THE PUBLIC API GO HERE
 * ============================================================================
 *
 * This file is compiled (strict) against the package as npm installed it, in
 * every fresh app, and never run. A check is either:
 *
 * - a member of `PublicApiChecks`, `Expect<Equal<Actual, Expected>>`, which
 *   fails to compile when the types differ;
 * - a line under `// @ts-expect-error`, which fails to compile when that line
 *   compiles (so the API must keep rejecting it).
 *
 * Only `nestjs-realtime`, `nestjs-realtime/client` and the packages every
 * fresh app installs may be imported here (not ioredis
 * or @nestjs/config: the base app does not have them).
 */
import type { DynamicModule } from '@nestjs/common';
import {
  ChannelService,
  CloseCode,
  ErrorCode,
  REALTIME_CONNECTION,
  REALTIME_PROTOCOL,
  RealtimeModule,
  RealtimeTransportError,
  type DisconnectReceipt,
  type DisconnectTarget,
  type PushReceipt,
  type PushStatus,
  type RealtimeTransportErrorCode,
  type RealtimeClientRef,
  type RealtimeConnection,
  type RealtimeModuleAsyncOptions,
  type RealtimeModuleOptions,
  type RealtimeOptionsFactory,
} from 'nestjs-realtime';
import { REALTIME_PROTOCOL as CLIENT_PROTOCOL, type RealtimeSocket } from 'nestjs-realtime/client';

/** True when `A` and `B` are the same type (not merely assignable). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

interface Actions {
  Echo: { payload: { text: string }; reply: { echoed: { text: string }; connectionId: string } };
}
declare const socket: RealtimeSocket<Actions>;
const echo = () => socket.request('Echo', { text: 'hi' });

export type PublicApiChecks = [
  Expect<Equal<ReturnType<typeof RealtimeModule.forRoot>, DynamicModule>>,
  Expect<Equal<ReturnType<typeof RealtimeModule.forRootAsync>, DynamicModule>>,
  Expect<Equal<ReturnType<ChannelService['push']>, Promise<PushReceipt>>>,
  Expect<Equal<RealtimeClientRef['connectionId'], string>>,
  Expect<Equal<RealtimeConnection<{ id: number }>['user'], { id: number } | undefined>>,
  Expect<Equal<Awaited<ReturnType<typeof echo>>, { echoed: { text: string }; connectionId: string }>>,
  Expect<Equal<Parameters<typeof RealtimeModule.forRootAsync>[0], RealtimeModuleAsyncOptions>>,
  Expect<Equal<Awaited<ReturnType<RealtimeOptionsFactory['createRealtimeOptions']>>, RealtimeModuleOptions>>,
  Expect<Equal<Awaited<ReturnType<typeof socket.connect>>['channels'], string[] | undefined>>,
  Expect<Equal<ReturnType<ChannelService['revoke']>, Promise<DisconnectReceipt>>>,
  Expect<Equal<ReturnType<ChannelService['disconnect']>, Promise<DisconnectReceipt>>>,
  Expect<Equal<Parameters<ChannelService['disconnect']>[0], DisconnectTarget>>,
  Expect<Equal<typeof CloseCode.AccessRevoked, 4004>>,
  Expect<Equal<typeof ErrorCode.AccessRevoked, 'AccessRevoked'>>,
  Expect<Equal<typeof REALTIME_PROTOCOL, 'nestjs-realtime.v1'>>,
  Expect<Equal<typeof CLIENT_PROTOCOL, typeof REALTIME_PROTOCOL>>,
  Expect<Equal<PushReceipt['status'], PushStatus>>,
  Expect<Equal<PushStatus, 'published' | 'queued' | 'duplicate'>>,
  Expect<Equal<RealtimeTransportError['code'], RealtimeTransportErrorCode>>,
  Expect<Equal<RealtimeTransportErrorCode, 'Unavailable' | 'Timeout' | 'OutboxFull'>>,
  // (add new checks above this line)
];

/** A useClass factory, typed by the exported interface. */
class RealtimeConfig implements RealtimeOptionsFactory {
  createRealtimeOptions(): RealtimeModuleOptions {
    return { secret: 'a-typed-factory-secret-0123' };
  }
}

/** A fake connection for a handler unit test, with no cast. */
export const fakeConnection: RealtimeConnection<{ name: string }> = {
  [REALTIME_CONNECTION]: true,
  connectionId: 'c'.repeat(64),
  digest: 'd'.repeat(64),
  user: { name: 'ada' },
  data: new Map(),
  headers: {},
  remoteAddress: '127.0.0.1',
  emit: () => undefined,
  close: () => undefined,
};

interface AppEvents {
  WidgetQtyChanged: { qty: number };
}
declare const typedChannels: ChannelService<AppEvents>;
export const pushChecks = [
  () => typedChannels.push({ qty: 3 }, 'widgets:1', { event: 'WidgetQtyChanged' }),
  () => typedChannels.push({ qty: 3 }, 'widgets:1', { event: 'WidgetQtyChanged', id: 'qty-1-3' }),
  () => typedChannels.pushEvent('widgets', 1, 'WidgetQtyChanged', { qty: 3 }, { id: 42 }),
  // @ts-expect-error a push id is a string or a number
  () => typedChannels.push({ qty: 3 }, 'widgets:1', { event: 'WidgetQtyChanged', id: { key: 1 } }),
  // @ts-expect-error the payload does not match the event
  () => typedChannels.push({ qty: '3' }, 'widgets:1', { event: 'WidgetQtyChanged' }),
  // @ts-expect-error an event AppEvents does not name
  () => typedChannels.push({}, 'widgets:1', { event: 'WidgetRenamed' }),
];

declare const channels: ChannelService;
declare const client: RealtimeClientRef;
export const disconnectChecks = [
  () => channels.revoke(client),
  () => channels.disconnect({ client }),
  () => channels.disconnect({ socketKeyOf: client }),
  () => channels.disconnect({ connectionId: client.connectionId }),
  () => channels.disconnect({ user: 42 }),
  () => channels.disconnect({ user: 'ada' }),
  // @ts-expect-error a user id is a string or a number
  () => channels.disconnect({ user: { id: 1 } }),
  // @ts-expect-error not a target
  () => channels.disconnect({ digest: 'd' }),
];

export const optionChecks: RealtimeModuleOptions[] = [
  { allowedOrigins: '*', redis: { url: 'redis://127.0.0.1:6379' }, serveClient: '/assets/rt.js' },
  { userId: (user: { id: string }) => user.id, reauthorizeServerSubscriptions: true },
  // @ts-expect-error userId gives a string or a number
  { userId: (user: { id: string }) => ({ id: user.id }) },
  {
    redis: { url: 'redis://127.0.0.1:6379', commandTimeout: 1500, outbox: { size: 500, maxAge: 10_000 } },
    idempotency: { window: 60_000, maxKeys: 10_000 },
  },
  { compression: true },
  { compression: { threshold: 2048, level: 1, memLevel: 6, windowBits: 12, maxSockets: 5000 } },
  // @ts-expect-error compression is a boolean or its settings
  { compression: 'gzip' },
  // @ts-expect-error secureCookie is a boolean or 'auto'
  { secureCookie: 'sometimes' },
  // @ts-expect-error an unknown option is a typo
  { alowedOrigins: '*' },
];

export const clientChecks = [
  // @ts-expect-error Echo's payload is { text: string }
  () => socket.request('Echo', { text: 1 }),
  // @ts-expect-error not an action of Actions, nor a built-in one
  () => socket.request('Ech0', {}),
];

export const moduleChecks: DynamicModule[] = [
  RealtimeModule.forRootAsync({ useClass: RealtimeConfig, path: '/live' }),
  RealtimeModule.forRoot({ path: '/realtime', isGlobal: false, gateway: true }),
  RealtimeModule.forRootAsync({ useFactory: () => ({ injectConnectionId: true }), path: '/' }),
  // @ts-expect-error the factory returns options, not a string
  RealtimeModule.forRootAsync({ useFactory: () => 'not options' }),
];
