import {
  Inject,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type Type,
} from '@nestjs/common';
import {
  WebSocketGateway,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import { DiscoveryService, HttpAdapterHost } from '@nestjs/core';
import { GATEWAY_OPTIONS } from '@nestjs/websockets/constants.js';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { ChannelRecovery, ReplayBudget, type JoinedChannels } from '../channels/channel-recovery.js';
import { ChannelRouter } from '../channels/channel-router.interface.js';
import { SINCE_PARAM, type ChannelPosition } from '../protocol/channel-position.js';
import { sinceParam } from './positions-sent.util.js';
import { ConnectionDirectory } from '../channels/connection.directory.js';
import { InstanceDrain } from '../channels/instance-drain.state.js';
import { RevocationList } from '../channels/revocation-list.interface.js';
import { SubscriptionRegistry } from '../channels/subscription-registry.interface.js';
import { toErrorPayload } from '../handlers/error-payload.mapper.js';
import { RealtimeHandlerRegistry } from '../handlers/realtime-handler.registry.js';
import { resolveUpgradeIdentity, throwawayKey } from '../identity/upgrade-identity.resolver.js';
import type { ResolvedRealtimeOptions } from '../interfaces/realtime-module-options.interface.js';
import { CloseCode } from '../protocol/close-codes.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { encodeEvent } from '../protocol/frame.codec.js';
import { EventName } from '../protocol/event-names.js';
import { REALTIME_OPTIONS, SHUTDOWN_CLOSE_REASON } from '../realtime.constants.js';
import { GATEWAY_PATH_TAKEN, NOT_A_WS_SERVER, TRANSPORT_UNAVAILABLE_REPLY } from '../realtime.messages.js';
import { RealtimeTransportError } from '../errors/realtime-transport.error.js';
import { findGatewayOnSamePath, gatewayPath } from './gateway-path.check.js';
import { RealtimeDispatcher } from './realtime.dispatcher.js';
import { FrameScheduler } from './frame.scheduler.js';
import { ReceiveQueueBudget } from './receive-queue.budget.js';
import { SubscriptionActions } from './subscription.actions.js';
import { UpgradeAdmission } from './upgrade.admission.js';
import { AddressRates } from './address-rates.js';
import { EventStreamEndpoint } from './event-stream/event-stream.endpoint.js';
import { drainTargets, type DrainTarget } from './shutdown.drain.js';
import { refusesUpgrade } from './upgrade-url.check.js';
import { WsRealtimeConnection } from './ws-realtime.connection.js';
import { compressionThreshold, setUpWebSocketServer } from './websocket-server.setup.js';

function isWsServer(server: unknown): server is WebSocketServer {
  return typeof (server as WebSocketServer | undefined)?.handleUpgrade === 'function';
}

/** Resolves once the socket has closed. */
function closedOf(socket: WebSocket): Promise<void> {
  return new Promise(resolve => (socket.readyState === socket.CLOSED ? resolve() : socket.once('close', () => resolve())));
}

/**
 * The WebSocket endpoint. It runs on `@nestjs/platform-ws` (the app installs
 * `WsAdapter`) on the app's own HTTP server, and owns every connection: their
 * identity, heartbeat, periodic re-authorization and shutdown.
 *
 * `createRealtimeGateway()` makes one subclass per module import, because the
 * gateway's path is static decorator metadata.
 */
export class RealtimeGatewayHost
  implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger('RealtimeModule');
  private readonly connections = new Map<WebSocket, WsRealtimeConnection>();
  private heartbeat?: NodeJS.Timeout;
  private keeper?: NodeJS.Timeout;
  private reauthorizer?: NodeJS.Timeout;
  private reauthorizing = false;
  private server?: WebSocketServer;
  /** Shared with the event stream: one count per address across sockets and streams. */
  @Inject(UpgradeAdmission) private readonly admission!: UpgradeAdmission;
  private readonly addressRates: AddressRates;
  /** Bytes of frames waiting to be answered, across every connection. */
  private readonly budget: ReceiveQueueBudget;
  /** Runs every connection's frames, the least busy first, and measures them. */
  private readonly scheduler = new FrameScheduler();
  /** The app's HTTP server, while the upgrade filter is on it. */
  private httpServer?: Server;
  /** This instance's copy of the revocation list: a revoked key counts as none. */
  private readonly revokedHere = (keyId: string): boolean => this.revocations.has(keyId);
  private readonly filterUpgrade = (request: IncomingMessage, socket: Duplex): void => {
    if (refusesUpgrade(request, this.path)) socket.destroy();
  };

  constructor(
    @Inject(REALTIME_OPTIONS) private readonly options: ResolvedRealtimeOptions,
    @Inject(ChannelRouter) private readonly router: ChannelRouter,
    @Inject(SubscriptionRegistry) private readonly registry: SubscriptionRegistry,
    private readonly dispatcher: RealtimeDispatcher,
    private readonly handlers: RealtimeHandlerRegistry,
    private readonly actions: SubscriptionActions,
    private readonly discovery: DiscoveryService,
    private readonly directory: ConnectionDirectory,
    @Inject(RevocationList) private readonly revocations: RevocationList,
    private readonly adapterHost: HttpAdapterHost,
    private readonly recovery: ChannelRecovery,
    private readonly drain: InstanceDrain,
    private readonly streams: EventStreamEndpoint,
  ) {
    this.addressRates = new AddressRates(options.addressMessageRate);
    this.budget = new ReceiveQueueBudget(options.totalReceiveQueueLimit);
  }

  afterInit(server: unknown): void {
    // A throw here would surface as an uncaught exception (Nest calls this
    // from an rxjs subscriber); onApplicationBootstrap reports it instead.
    if (!isWsServer(server)) return;
    this.server = server;
    setUpWebSocketServer(server, this.options, this.admission);
    // NOTE: prepended, so that it runs before platform-ws's own upgrade
    // listener, which then finds the socket destroyed and does nothing.
    this.httpServer = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    this.httpServer?.prependListener('upgrade', this.filterUpgrade);
    if (this.options.heartbeatInterval > 0) {
      this.heartbeat = setInterval(() => this.beat(), this.options.heartbeatInterval);
      this.heartbeat.unref();
    }
    // Digest subscriptions of open sockets must outlive subscriptionTtl, with
    // or without heartbeats.
    this.keeper = setInterval(() => this.keepAlive(), Math.max(250, Math.floor(this.options.subscriptionTtl / 3)));
    this.keeper.unref();
    if (this.options.reauthorizeInterval > 0) {
      this.reauthorizer = setInterval(() => void this.reauthorizeAll(), this.options.reauthorizeInterval);
      this.reauthorizer.unref();
    }
  }

  onApplicationBootstrap(): void {
    if (!this.server) throw new Error(NOT_A_WS_SERVER());
    const gateway = this.constructor as Type;
    const other = findGatewayOnSamePath(this.discovery, gateway);
    if (other) {
      const name = other.name === gateway.name ? "another RealtimeModule import's gateway" : other.name;
      throw new Error(GATEWAY_PATH_TAKEN(this.path, name));
    }
  }

  /** The path this gateway listens on, as platform-ws compares it. */
  private get path(): string {
    return gatewayPath((Reflect.getMetadata(GATEWAY_OPTIONS, this.constructor) as { path?: string }).path);
  }

  handleConnection(socket: WebSocket, request: IncomingMessage): void {
    let url: URL;
    try {
      url = new URL(request.url ?? '/', 'http://localhost');
    } catch {
      // NOTE: the upgrade filter refuses what platform-ws cannot route, so
      // this never happens; were it to, a throw here would be uncaught.
      socket.terminate();
      return;
    }
    const { connectionId, key } = resolveUpgradeIdentity(request.headers, url.searchParams, this.options, this.revokedHere);
    const address = this.admission.addressOf(request);
    const connection = new WsRealtimeConnection(
      socket,
      connectionId,
      key,
      request.headers,
      address,
      {
        sendBufferLimit: this.options.sendBufferLimit,
        burst: this.options.messageRate.burst,
        perSecond: this.options.messageRate.perSecond,
        receiveQueueLimit: this.options.receiveQueueLimit,
        workUnitsPerMs: this.options.workUnitsPerMs,
        addressRate: this.addressRates.bucketFor(address),
        compressFrom: compressionThreshold(socket, this.options.compression),
      },
      this.budget,
      this.scheduler,
    );
    this.connections.set(socket, connection);
    this.directory.add(connection);
    // NOTE: the ws adapter logs every socket error at error level, and these
    // are the client's doing (a frame over maxMessageSize, invalid UTF-8):
    // any client could flood the logs. The socket closes with its code anyway.
    socket.removeAllListeners('error');
    socket.on('error', error => this.logger.debug(`Realtime socket closed on a protocol error: ${error.message}`));
    socket.on('message', (data, isBinary) => this.dispatcher.handle(connection, data, isBinary));
    socket.on('pong', () => connection.markAlive());
    // NOTE: admitted just before the drain began: it is sent elsewhere at
    // once, as the drain's first sockets are, without running connect hooks.
    if (this.drain.draining) connection.close(CloseCode.GoingAway, SHUTDOWN_CLOSE_REASON);
    else void this.open(connection, sinceParam(url.searchParams.get(SINCE_PARAM)));
  }

  handleDisconnect(socket: WebSocket): void {
    const connection = this.connections.get(socket);
    if (!connection) return;
    this.connections.delete(socket);
    this.directory.delete(connection);
    connection.dispose();
    this.router.detach(connection);
    // The digest's subscriptions (and its entry in its key's index) now expire subscriptionTtl after this moment.
    // NOTE: during an outage every client that leaves would log this; the
    // outage itself is reported once already.
    this.registry.keepAlive([connection.digest], connection.keyId).catch(error => {
      const log = error instanceof RealtimeTransportError ? 'debug' : 'warn';
      this.logger[log](`Realtime keep-alive failed: ${(error as Error).message}`);
    });
    for (const hook of this.handlers.hooksFor('disconnect')) {
      hook(connection, {}, 'disconnect').catch(error => this.logFailure('disconnect hook', error));
    }
  }

  /**
   * Drains the instance (Myxi's `shutdown_time`): from now on upgrades and
   * event streams are refused with `503` and the health indicator says
   * `draining`; the open sockets and streams are closed in random order,
   * spread evenly over `shutdownDrain` ms, each with 1001 and a reconnect
   * hint, while pushes keep reaching those still open. It ends as soon as
   * none is left; one that has not answered its close a second after the
   * last close went out is dropped (`drainTargets`).
   *
   * NOTE: Nest runs this hook before those of what the gateway depends on
   * (the transport, through recovery; the event stream), so Redis still
   * carries pushes during the drain, and the stream endpoint finds its
   * streams closed. Nest also runs one shutdown at a time: a second SIGTERM
   * or `app.close()` waits for this one.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.drain.begin(this.options.shutdownDrain);
    // NOTE: no more heartbeats: a socket that misses one now would be cut
    // (1006, and its client backs off) rather than told where to go; every
    // socket is closed within the window anyway. Keep-alives and re-checks go
    // on: the digests must outlive the drain, and access still ends when revoked.
    clearInterval(this.heartbeat);
    // One drain for sockets and event streams, so that together they are spread over the window.
    const targets = new Map<WebSocket, DrainTarget>();
    const open = (): DrainTarget[] => {
      for (const [socket, connection] of this.connections) {
        if (targets.has(socket)) continue;
        targets.set(socket, {
          close: (code, reason) => connection.close(code, reason),
          isClosed: () => socket.readyState === socket.CLOSED,
          whenClosed: () => closedOf(socket),
          terminate: () => socket.terminate(),
        });
      }
      return [...targets.values(), ...this.streams.drainTargets()];
    };
    await drainTargets(open(), this.options.shutdownDrain, open);
    this.httpServer?.off('upgrade', this.filterUpgrade);
    clearInterval(this.keeper);
    clearInterval(this.reauthorizer);
  }

  /**
   * Checks the key, runs connect hooks, picks up the digest's subscriptions,
   * then says Welcome. If they cannot be picked up (Redis is unavailable), the
   * client gets `Error Unavailable` and close 1013 instead, and reconnects
   * later: a Welcome always lists the subscriptions that are in effect.
   */
  private async open(connection: WsRealtimeConnection, sent: ReadonlyMap<string, ChannelPosition>): Promise<void> {
    // Asked of the shared list (Redis): a key revoked on another instance a
    // moment ago counts as none here too, whether or not the news arrived.
    if (connection.keyPresented && (await this.isRevoked(connection.keyId))) {
      connection.rekey(throwawayKey(connection.connectionId, this.options.secret));
    }
    try {
      for (const hook of this.handlers.hooksFor('connect')) await hook(connection, {}, 'connect');
    } catch (error) {
      // Hooks run through HandlerFiltersFactory, which logs the unexpected.
      connection.fail(encodeEvent(EventName.Error, toErrorPayload(error).payload), CloseCode.ConnectionRejected, 'Connection rejected');
      return;
    }
    if (!connection.isOpen) return;
    // Attached before the registry read, so a subscription made meanwhile
    // (by a route, on any instance) reaches it either way.
    this.router.attach(connection);
    let held: string[];
    let starts: Map<string, ChannelPosition>;
    let caughtUp: JoinedChannels;
    try {
      [held, starts] = await Promise.all([
        this.registry.channelsFor(connection.digest),
        this.registry.startsFor(connection.digest),
      ]);
      // Welcome promises delivery of every later push (the transport listens
      // for these channels on every instance) and of what was missed since
      // the client's last positions, or since the page's route subscribed it.
      const requests = held.map(channel => ({ channel, since: sent.get(channel) ?? starts.get(channel) }));
      caughtUp = await this.recovery.join(connection, requests, new ReplayBudget(connection.replays.remaining()));
    } catch (error) {
      // NOTE: an outage is expected and already reported (health, a warning):
      // every reconnecting client would otherwise log once more.
      if (error instanceof RealtimeTransportError) this.logger.debug(`Realtime connection sent away: ${error.message}`);
      else this.logFailure('subscription lookup', error);
      const frame = encodeEvent(EventName.Error, { error: ErrorCode.Unavailable, message: TRANSPORT_UNAVAILABLE_REPLY() });
      connection.fail(frame, CloseCode.TryAgainLater, 'Try again later');
      return;
    }
    if (!connection.isOpen) return;
    const positions = Object.fromEntries(caughtUp.starts);
    connection.open(encodeEvent(EventName.Welcome, { id: connection.connectionId, channels: held, positions }));
    if (!caughtUp.commit()) connection.close(CloseCode.SlowConsumer, 'Send buffer full');
    connection.replays.spend(caughtUp.replayed);
    // A later socket of this page resumes from its own positions, or from none.
    if (starts.size > 0) {
      this.registry.dropStarts(connection.digest).catch(error => this.logger.debug(`Realtime positions kept: ${(error as Error).message}`));
    }
  }

  private async isRevoked(keyId: string): Promise<boolean> {
    try {
      return await this.revocations.check(keyId);
    } catch (error) {
      // Redis is away: this instance's copy of the list answers.
      this.logger.debug(`Realtime revocation check fell back to this instance's copy: ${(error as Error).message}`);
      return this.revocations.has(keyId);
    }
  }

  private beat(): void {
    for (const connection of this.connections.values()) connection.heartbeat();
  }

  private keepAlive(): void {
    const digests = new Set<string>();
    for (const connection of this.connections.values()) digests.add(connection.digest);
    // Failing while Redis is away is expected and reported by the health
    // indicator; the next round tries again.
    this.registry.keepAlive(digests).catch(error => this.logger.warn(`Realtime keep-alive failed: ${(error as Error).message}`));
  }

  private async reauthorizeAll(): Promise<void> {
    // A slow authorizer must not let passes pile up on each other.
    if (this.reauthorizing) return;
    this.reauthorizing = true;
    try {
      for (const connection of [...this.connections.values()]) {
        if (connection.grants.size > 0 || this.options.reauthorizeServerSubscriptions) await this.actions.reauthorize(connection);
      }
    } finally {
      this.reauthorizing = false;
    }
  }

  private logFailure(what: string, error: unknown): void {
    this.logger.error(`Realtime ${what} failed`, (error as Error)?.stack);
  }
}

/** Makes the gateway class for one module import, with its path. */
export function createRealtimeGateway(path: string): Type<RealtimeGatewayHost> {
  @WebSocketGateway({ path })
  class RealtimeGateway extends RealtimeGatewayHost {}
  return RealtimeGateway;
}
