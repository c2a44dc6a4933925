import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { ChannelSubscriber } from '../../channels/channel-subscriber.interface.js';
import type { LocalConnection } from '../../channels/connection.directory.js';
import { REALTIME_CONNECTION, type RealtimeConnection } from '../../channels/realtime-connection.interface.js';
import { SOCKET_KEY_ID } from '../../identity/client-socket-key.util.js';
import type { ConnectionKey } from '../../identity/upgrade-identity.resolver.js';
import { CloseCode } from '../../protocol/close-codes.js';
import { encodeEvent } from '../../protocol/frame.codec.js';
import { SubscriptionGrants } from '../subscription.grants.js';
import { closeEvent, EVENT_STREAM_HEADERS, framePieces, PING_COMMENT, retryField } from './event-stream.format.js';
import { pushPositionOf } from './push-position.util.js';
import { StreamPositions } from './stream-positions.js';

/** Frames queued before `Welcome` is out; past this many the client is too slow (as on a socket). */
const MAX_PENDING_FRAMES = 1024;
/**
 * How long an ended stream may take to drain before its connection is cut:
 * `ws`'s wait for a close handshake, so a slow reader gets its `close` event
 * as a slow socket gets its close frame.
 */
const CLOSE_TIMEOUT_MS = 30_000;

/** What a stream needs to know besides its response. */
export interface EventStreamSettings {
  sendBufferLimit: number;
  /** Most channels with a position in the `id:` token (`maxSubscriptions`). */
  maxPositions: number;
  /** The channels the stream holds now (the router's), to make room in its positions. */
  channels(stream: EventStreamConnection): Iterable<string>;
}

/**
 * One event stream: a client's receive-only stand-in for a socket, on a
 * long-lived `GET` answered with server-sent events. To handlers, hooks and
 * authorizers it is a `RealtimeConnection`, to the router a
 * `ChannelSubscriber`, and ending access stops it like a socket
 * (`LocalConnection`). Every frame a socket would get is written as one
 * unnamed event whose data is that frame; a socket's close is a last `close`
 * event, then the response ends.
 */
export class EventStreamConnection<User = unknown> implements RealtimeConnection<User>, ChannelSubscriber, LocalConnection {
  readonly [REALTIME_CONNECTION] = true as const;
  user: User | undefined = undefined;
  readonly data = new Map<string, unknown>();
  /** Always empty: a stream cannot `Subscribe`. Re-authorization reads it as it reads a socket's. */
  readonly grants = new SubscriptionGrants();
  /** What the client has seen, per channel, for the `id:` of each push. */
  readonly positions: StreamPositions;

  private started = false;
  private opened = false;
  /** Its access was ended, or it is closing: it is not set up any further. */
  private ended = false;
  private closing = false;
  private welcomedAt = 0;
  private pending: Array<Buffer | string> = [];

  constructor(
    private readonly response: ServerResponse,
    readonly connectionId: string,
    private key: ConnectionKey,
    readonly headers: IncomingHttpHeaders,
    readonly remoteAddress: string | undefined,
    private readonly settings: EventStreamSettings,
  ) {
    this.positions = new StreamPositions(settings.maxPositions);
  }

  get digest(): string {
    return this.key.digest;
  }

  /** The id of the socket key (`socketKeyId()`). */
  get keyId(): string {
    return this.key.keyId;
  }

  /** Whether the client presented its key, rather than getting a throwaway one. */
  get keyPresented(): boolean {
    return this.key.presented;
  }

  /** @internal What `ChannelService.revoke()` reads. */
  [SOCKET_KEY_ID](): string {
    return this.key.keyId;
  }

  /** Before set-up (it is in no router yet): swaps a key that turned out to be revoked for a throwaway one. */
  rekey(key: ConnectionKey): void {
    this.key = key;
  }

  /** Whether the response is still open and the stream not ended: worth setting up and writing to. */
  get isOpen(): boolean {
    return !this.ended && this.writable;
  }

  /** Whether `Welcome` was sent. */
  get isReady(): boolean {
    return this.opened;
  }

  /** When `Welcome` was sent (ms since the epoch); 0 before. */
  get openedAt(): number {
    return this.welcomedAt;
  }

  /** Nothing is read from a stream; this stops it from being set up any further. */
  stopReading(): void {
    this.ended = true;
  }

  /**
   * Sends the head (with `headers` besides the stream's own) and the
   * `retry:` field: the stream has begun, before it is set up.
   */
  start(retryMs: number, headers: Record<string, string> = {}): void {
    if (this.started) return;
    this.started = true;
    const socket = this.response.socket;
    // NOTE: a stream is quiet between pushes: no idle timeout may end it, and
    // TCP keep-alive finds a peer that vanished without a word (no pings).
    socket?.setTimeout(0);
    socket?.setNoDelay(true);
    socket?.setKeepAlive(true, 10_000);
    this.response.writeHead(200, { ...headers, ...EVENT_STREAM_HEADERS });
    this.response.write(retryField(retryMs));
  }

  /** Sends `Welcome`, then what was pushed while the stream was being set up. */
  open(welcome: string): void {
    this.opened = true;
    this.welcomedAt = Date.now();
    this.write(welcome);
    for (const frame of this.pending) this.write(frame);
    this.pending = [];
  }

  /** Ends the stream with one last frame, written even before `Welcome` (what waited for it is dropped). */
  fail(lastFrame: string, code: number, reason: string): void {
    this.pending = [];
    if (this.started && this.writable && !this.closing) this.send(lastFrame);
    this.close(code, reason);
  }

  write(frame: Buffer | string): void {
    if (!this.opened) {
      if (this.pending.length >= MAX_PENDING_FRAMES) this.close(CloseCode.SlowConsumer, 'Send buffer full');
      else this.pending.push(frame);
      return;
    }
    if (!this.writable || this.closing) return;
    // NOTE: checked before the write, as on a socket: a stalled reader holds
    // at most the limit plus one frame, and nobody else waits for it.
    if (this.response.writableLength > this.settings.sendBufferLimit) {
      this.close(CloseCode.SlowConsumer, 'Send buffer full');
      return;
    }
    this.send(frame);
  }

  emit(event: string, payload: unknown): void {
    this.write(encodeEvent(event, payload));
  }

  /** A comment line, so that proxies keep an idle stream open. */
  ping(): void {
    if (!this.started || !this.writable || this.closing) return;
    if (this.response.writableLength > this.settings.sendBufferLimit) this.close(CloseCode.SlowConsumer, 'Send buffer full');
    else this.response.write(PING_COMMENT);
  }

  /**
   * Ends the stream: a last `close` event with the code a socket would get,
   * then the end of the response. A client that does not take it within
   * 30 s loses its connection (shutdown cuts it sooner: `terminate()`).
   */
  close(code: number = 1000, reason = ''): void {
    this.ended = true;
    if (this.closing) return;
    this.closing = true;
    this.pending = [];
    const response = this.response;
    if (!this.writable) return;
    response.end(closeEvent(code, reason));
    const timer = setTimeout(() => response.destroy(), CLOSE_TIMEOUT_MS);
    timer.unref();
    response.once('close', () => clearTimeout(timer));
  }

  /** Calls `listener` once the response has closed: the stream ended, or the client left. */
  onEnd(listener: () => void): void {
    this.response.once('close', listener);
  }

  /** Cuts the connection at once (shutdown's grace is over). */
  terminate(): void {
    this.ended = true;
    this.response.destroy();
  }

  private get writable(): boolean {
    return !this.response.destroyed && !this.response.writableEnded;
  }

  private send(frame: Buffer | string): void {
    const position = pushPositionOf(frame);
    const id =
      position && this.positions.seen(position.channel, position.epoch, position.offset, () => this.settings.channels(this))
        ? this.positions.toToken()
        : undefined;
    const response = this.response;
    response.cork();
    for (const piece of framePieces(frame, id)) response.write(piece);
    response.uncork();
  }
}
