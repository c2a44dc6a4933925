import { Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ReplayBudget, type ChannelRecovery, type JoinedChannels } from '../../channels/channel-recovery.js';
import type { ChannelRouter } from '../../channels/channel-router.interface.js';
import { SINCE_PARAM, type ChannelPosition } from '../../protocol/channel-position.js';
import { sinceParam } from '../positions-sent.util.js';
import type { ConnectionDirectory } from '../../channels/connection.directory.js';
import type { RealtimeTransport } from '../../channels/realtime-transport.interface.js';
import type { RevocationList } from '../../channels/revocation-list.interface.js';
import type { SubscriptionRegistry } from '../../channels/subscription-registry.interface.js';
import { RealtimeTransportError } from '../../errors/realtime-transport.error.js';
import { toErrorPayload } from '../../handlers/error-payload.mapper.js';
import type { RealtimeHandlerRegistry } from '../../handlers/realtime-handler.registry.js';
import { resolveUpgradeIdentity, throwawayKey } from '../../identity/upgrade-identity.resolver.js';
import type { ResolvedRealtimeOptions } from '../../interfaces/realtime-module-options.interface.js';
import { CloseCode } from '../../protocol/close-codes.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { EventName } from '../../protocol/event-names.js';
import { EVENT_STREAM_MEDIA_TYPE, LAST_EVENT_ID_PARAM } from '../../protocol/event-stream.js';
import { encodeEvent } from '../../protocol/frame.codec.js';
import { SHUTDOWN_CLOSE_GRACE_MS, SHUTDOWN_CLOSE_REASON } from '../../realtime.constants.js';
import { TRANSPORT_UNAVAILABLE_REPLY } from '../../realtime.messages.js';
import { requestPath } from '../client-script.middleware.js';
import type { DrainTarget } from '../shutdown.drain.js';
import type { SubscriptionActions } from '../subscription.actions.js';
import type { UpgradeAdmission } from '../upgrade.admission.js';
import { EventStreamConnection, type EventStreamSettings } from './event-stream.connection.js';
import { StreamPositions } from './stream-positions.js';

/** What the endpoint works with: the gateway's parts, for streams instead of sockets. */
export interface EventStreamParts {
  /** The gateway's path, as platform-ws compares it (`gatewayPath()`). */
  path: string;
  options: ResolvedRealtimeOptions;
  router: ChannelRouter;
  registry: SubscriptionRegistry;
  transport: RealtimeTransport;
  handlers: RealtimeHandlerRegistry;
  directory: ConnectionDirectory;
  revocations: RevocationList;
  /** The gateway's: sockets and streams share one count per address. */
  admission: UpgradeAdmission;
  actions: SubscriptionActions;
  recovery: ChannelRecovery;
}

/** Whether an `Accept` header names the event-stream media type. */
function acceptsEventStream(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some(type => type.split(';', 1)[0]!.trim().toLowerCase() === EVENT_STREAM_MEDIA_TYPE);
}

/** A plain HTTP refusal, before any stream began. */
function refuse(response: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(message), ...headers });
  response.end(message);
}

/**
 * The event stream: the receive-only stand-in for the WebSocket, on the same
 * path, for clients whose socket cannot connect. A `GET` with
 * `Accept: text/event-stream` is admitted as an upgrade is (Origin,
 * per-address cap), gets the identity an upgrade would (connection id and
 * key from the query, the headers or the signed cookie), runs the connect
 * hooks, joins what its digest holds and streams every frame a socket would
 * get. Any other request passes on to the app.
 *
 * NOTE: mounted by `RealtimeModule.configure()` straight onto the HTTP
 * adapter, before the app's routes, so that a route on the same path (a home
 * page at `/`) still answers everything else.
 */
export class EventStreamEndpoint implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('RealtimeModule');
  private readonly streams = new Set<EventStreamConnection>();
  /** Each stream as the shutdown drain sees it: one object per stream. */
  private readonly targets = new WeakMap<EventStreamConnection, DrainTarget>();
  private readonly settings: EventStreamSettings;
  private pinger?: NodeJS.Timeout;
  private keeper?: NodeJS.Timeout;
  private reauthorizer?: NodeJS.Timeout;
  private reauthorizing = false;
  private shuttingDown = false;
  private readonly revokedHere = (keyId: string): boolean => this.parts.revocations.has(keyId);

  constructor(private readonly parts: EventStreamParts) {
    this.settings = {
      sendBufferLimit: parts.options.sendBufferLimit,
      maxPositions: parts.options.maxSubscriptions,
      channels: stream => parts.router.channelsOf(stream),
    };
  }

  /** Whether the endpoint is on (`eventStream` is not `false`): only then is `handle` mounted. */
  get enabled(): boolean {
    return this.parts.options.eventStream !== false;
  }

  /** Streams open here (set-up included). */
  get size(): number {
    return this.streams.size;
  }

  /** Node middleware, `(request, response, next)`: takes event-stream requests on the path, passes on the rest. */
  readonly handle = (request: IncomingMessage, response: ServerResponse, next: () => void): void => {
    if (request.method !== 'GET' || requestPath(request) !== this.parts.path || !acceptsEventStream(request.headers.accept)) {
      return next();
    }
    this.accept(request, response);
  };

  onApplicationBootstrap(): void {
    const { eventStream, subscriptionTtl, reauthorizeInterval, reauthorizeServerSubscriptions } = this.parts.options;
    if (eventStream === false) return;
    if (eventStream.ping > 0) {
      this.pinger = setInterval(() => this.streams.forEach(stream => stream.ping()), eventStream.ping);
      this.pinger.unref();
    }
    // Digest subscriptions of open streams must outlive subscriptionTtl, as a socket's do.
    this.keeper = setInterval(() => this.keepAlive(), Math.max(250, Math.floor(subscriptionTtl / 3)));
    this.keeper.unref();
    // A stream makes no subscriptions of its own: only those server code made are asked about again.
    if (reauthorizeServerSubscriptions && reauthorizeInterval > 0) {
      this.reauthorizer = setInterval(() => void this.reauthorizeAll(), reauthorizeInterval);
      this.reauthorizer.unref();
    }
  }

  /**
   * The streams open now, for the gateway's shutdown drain, which closes
   * them spread over `shutdownDrain` together with the sockets.
   */
  drainTargets(): DrainTarget[] {
    return [...this.streams].map(stream => {
      let target = this.targets.get(stream);
      if (!target) {
        target = {
          close: (code, reason) => stream.close(code, reason),
          isClosed: () => !this.streams.has(stream),
          whenClosed: () => new Promise(resolve => (this.streams.has(stream) ? stream.onEnd(resolve) : resolve())),
          terminate: () => stream.terminate(),
        };
        this.targets.set(stream, target);
      }
      return target;
    });
  }

  /**
   * Ends every stream still open with close `1001`, as sockets get; one that
   * does not finish within a second is cut. NOTE: the gateway's drain (which
   * runs first: the gateway depends on this endpoint) has closed them already;
   * this is for what is left.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    clearInterval(this.pinger);
    clearInterval(this.keeper);
    clearInterval(this.reauthorizer);
    const streams = [...this.streams];
    const ended = streams.map(stream => new Promise<void>(resolve => stream.onEnd(resolve)));
    for (const stream of streams) stream.close(CloseCode.GoingAway, SHUTDOWN_CLOSE_REASON);
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>(resolve => (timer = setTimeout(resolve, SHUTDOWN_CLOSE_GRACE_MS)));
    await Promise.race([Promise.all(ended), grace]);
    clearTimeout(timer);
    for (const stream of streams) stream.terminate();
  }

  private accept(request: IncomingMessage, response: ServerResponse): void {
    const { options } = this.parts;
    if (this.shuttingDown) return refuse(response, 503, 'Server shutting down', { 'Retry-After': '1' });
    let url: URL;
    try {
      url = new URL((request as IncomingMessage & { originalUrl?: string }).originalUrl ?? request.url ?? '/', 'http://localhost');
    } catch {
      return refuse(response, 400, 'Bad request target');
    }
    const admission = this.parts.admission.admit(request);
    if (!admission.admitted) return refuse(response, admission.status, admission.message, admission.headers);
    const { connectionId, key } = resolveUpgradeIdentity(request.headers, url.searchParams, options, this.revokedHere);
    const stream = new EventStreamConnection(response, connectionId, key, request.headers, admission.address, this.settings);
    const origin = request.headers.origin;
    // An Origin that admission allowed may read the stream: a page of another
    // allowed origin needs these to see it (EventSource's `withCredentials`).
    const cors: Record<string, string> =
      typeof origin === 'string' ? { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true', vary: 'Origin' } : {};
    stream.start(options.eventStream === false ? 0 : options.eventStream.retry, cors);
    this.streams.add(stream);
    this.parts.directory.add(stream);
    stream.onEnd(() => this.ended(stream, admission.release));
    const lastEventId = request.headers['last-event-id'] ?? url.searchParams.get(LAST_EVENT_ID_PARAM) ?? undefined;
    const resume = StreamPositions.parse(Array.isArray(lastEventId) ? lastEventId[0] : lastEventId, options.maxSubscriptions);
    // A client library that moved here from a WebSocket sends its positions
    // as it would on the socket's URL.
    void this.open(stream, resume, sinceParam(url.searchParams.get(SINCE_PARAM)));
  }

  /**
   * Set-up, as the gateway's `open()` does it for a socket: the key is
   * checked against the shared revocation list, the connect hooks run, the
   * digest's channels are joined and in effect everywhere, then `Welcome`.
   */
  private async open(
    stream: EventStreamConnection,
    resume: StreamPositions | undefined,
    sent: ReadonlyMap<string, ChannelPosition>,
  ): Promise<void> {
    const { registry, router, options, recovery } = this.parts;
    if (stream.keyPresented && (await this.isRevoked(stream.keyId))) {
      stream.rekey(throwawayKey(stream.connectionId, options.secret));
    }
    try {
      for (const hook of this.parts.handlers.hooksFor('connect')) await hook(stream, {}, 'connect');
    } catch (error) {
      // Hooks run through HandlerFiltersFactory, which logs the unexpected.
      stream.fail(encodeEvent(EventName.Error, toErrorPayload(error).payload), CloseCode.ConnectionRejected, 'Connection rejected');
      return;
    }
    if (!stream.isOpen) return;
    // Attached before the registry read, so a subscription made meanwhile reaches it either way.
    router.attach(stream);
    let held: string[];
    let starts: Map<string, ChannelPosition>;
    let caughtUp: JoinedChannels;
    try {
      [held, starts] = await Promise.all([registry.channelsFor(stream.digest), registry.startsFor(stream.digest)]);
      // `Last-Event-ID` names epochs by a tag: a channel still in that epoch
      // resumes from its offset there; one in another epoch cannot.
      const resumed = resume ? await this.resumedPositions(resume, held) : new Map<string, ChannelPosition>();
      const requests = held.map(channel => ({ channel, since: resumed.get(channel) ?? sent.get(channel) ?? starts.get(channel) }));
      caughtUp = await recovery.join(stream, requests, new ReplayBudget());
    } catch (error) {
      if (error instanceof RealtimeTransportError) this.logger.debug(`Realtime event stream sent away: ${error.message}`);
      else this.logger.error('Realtime subscription lookup failed', (error as Error)?.stack);
      const frame = encodeEvent(EventName.Error, { error: ErrorCode.Unavailable, message: TRANSPORT_UNAVAILABLE_REPLY() });
      stream.fail(frame, CloseCode.TryAgainLater, 'Try again later');
      return;
    }
    if (!stream.isOpen) return;
    if (resume) stream.positions.carryOver(resume, held);
    const positions = Object.fromEntries(caughtUp.starts);
    stream.open(encodeEvent(EventName.Welcome, { id: stream.connectionId, channels: held, positions }));
    if (!caughtUp.commit()) stream.close(CloseCode.SlowConsumer, 'Send buffer full');
    if (starts.size > 0) {
      registry.dropStarts(stream.digest).catch(error => this.logger.debug(`Realtime positions kept: ${(error as Error).message}`));
    }
  }

  /**
   * The positions a `Last-Event-ID` names, for the channels the stream holds:
   * those whose epoch is still the channel's, in full; another epoch becomes
   * one that cannot match, so the channel answers `recovered: false`.
   */
  private async resumedPositions(resume: StreamPositions, held: readonly string[]): Promise<Map<string, ChannelPosition>> {
    const named = held.flatMap(channel => {
      const position = resume.positionOf(channel);
      return position ? [{ channel, position }] : [];
    });
    const now = await Promise.all(named.map(({ channel }) => this.parts.transport.history(channel, undefined, 0)));
    return new Map(
      named.map(({ channel, position }, index) => {
        const epoch = now[index]!.position.epoch;
        return [channel, { epoch: StreamPositions.isEpoch(position, epoch) ? epoch : `other:${position.epochTag}`, offset: position.offset }];
      }),
    );
  }

  /** The stream's response closed (the client left, or the stream ended): it leaves everything. */
  private ended(stream: EventStreamConnection, release: () => void): void {
    if (!this.streams.delete(stream)) return;
    release();
    stream.stopReading();
    this.parts.directory.delete(stream);
    this.parts.router.detach(stream);
    // The digest's subscriptions now expire subscriptionTtl after this moment, as after a socket.
    this.parts.registry.keepAlive([stream.digest], stream.keyId).catch(error => {
      const log = error instanceof RealtimeTransportError ? 'debug' : 'warn';
      this.logger[log](`Realtime keep-alive failed: ${(error as Error).message}`);
    });
    for (const hook of this.parts.handlers.hooksFor('disconnect')) {
      hook(stream, {}, 'disconnect').catch(error => this.logger.error('Realtime disconnect hook failed', (error as Error)?.stack));
    }
  }

  private async isRevoked(keyId: string): Promise<boolean> {
    try {
      return await this.parts.revocations.check(keyId);
    } catch (error) {
      this.logger.debug(`Realtime revocation check fell back to this instance's copy: ${(error as Error).message}`);
      return this.parts.revocations.has(keyId);
    }
  }

  private keepAlive(): void {
    if (this.streams.size === 0) return;
    const digests = new Set<string>();
    for (const stream of this.streams) digests.add(stream.digest);
    this.parts.registry.keepAlive(digests).catch(error => this.logger.warn(`Realtime keep-alive failed: ${(error as Error).message}`));
  }

  private async reauthorizeAll(): Promise<void> {
    if (this.reauthorizing) return;
    this.reauthorizing = true;
    try {
      for (const stream of [...this.streams]) await this.parts.actions.reauthorize(stream);
    } finally {
      this.reauthorizing = false;
    }
  }
}
