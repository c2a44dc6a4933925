import type { IncomingHttpHeaders } from 'node:http';
import { WebSocket } from 'ws';
import type { ChannelSubscriber } from '../channels/channel-subscriber.interface.js';
import { REALTIME_CONNECTION, type RealtimeConnection } from '../channels/realtime-connection.interface.js';
import type { LocalConnection } from '../channels/connection.directory.js';
import { SOCKET_KEY_ID } from '../identity/client-socket-key.util.js';
import type { ConnectionKey } from '../identity/upgrade-identity.resolver.js';
import { CloseCode } from '../protocol/close-codes.js';
import { encodeEvent } from '../protocol/frame.codec.js';
import type { Tag } from './answer.encoder.js';
import type { FrameScheduler } from './frame.scheduler.js';
import type { ReceiveQueueBudget } from './receive-queue.budget.js';
import { ReceiveQueue } from './receive.queue.js';
import { SubscriptionGrants } from './subscription.grants.js';
import { ReplayAllowance } from './replay.allowance.js';
import { WorkRateBucket } from './work-rate.bucket.js';

/** Limits a connection enforces on itself. */
export interface ConnectionLimits {
  sendBufferLimit: number;
  /** `messageRate.burst`, in work units. */
  burst: number;
  /** `messageRate.perSecond`, in work units. */
  perSecond: number;
  receiveQueueLimit: number;
  /** `workUnitsPerMs`: what a millisecond of measured work on a frame costs. */
  workUnitsPerMs: number;
  /** The client address's bucket (`addressMessageRate`), shared with its other connections. */
  addressRate?: WorkRateBucket;
  /** Frames of at least this many bytes go out compressed; `undefined` when the socket has no permessage-deflate. */
  compressFrom?: number;
}

const TEXT = { binary: false, compress: false } as const;
const DEFLATED = { binary: false, compress: true } as const;
/** Frames queued before `Welcome` is out; past this many the client is too slow. */
const MAX_PENDING_FRAMES = 1024;

/**
 * One client socket: what handlers see (`RealtimeConnection`), what the
 * router writes to (`ChannelSubscriber`), and what ending access stops
 * (`LocalConnection`).
 */
export class WsRealtimeConnection<User = unknown> implements RealtimeConnection<User>, ChannelSubscriber, LocalConnection {
  readonly [REALTIME_CONNECTION] = true as const;
  user: User | undefined = undefined;
  readonly data = new Map<string, unknown>();
  /** Subscriptions the client made itself (asked about again periodically), and those being authorized. */
  readonly grants = new SubscriptionGrants();
  readonly ready: Promise<void>;

  /** Cleared by each heartbeat, set again by the pong. */
  private alive = true;
  /** Set once the connection broke its rate (or its access was ended): later frames are ignored. */
  private refusing = false;
  /** Set once its access was ended: nothing more is read, and it is not set up any further. */
  private ended = false;
  private opened = false;
  /** When `Welcome` was sent (ms since the epoch); 0 before. */
  private welcomedAt = 0;
  /** Frames waiting to be answered, one at a time. */
  private readonly inbound: ReceiveQueue;
  private readonly rate: WorkRateBucket;
  /** Pushes this connection may still have replayed from history. */
  readonly replays = new ReplayAllowance();
  private pending: Array<Buffer | string> = [];
  private markReady!: () => void;

  constructor(
    private readonly socket: WebSocket,
    readonly connectionId: string,
    /** The secret half of the identity (only ever sent to this app itself, by call-route), its id and the digest. */
    private key: ConnectionKey,
    readonly headers: IncomingHttpHeaders,
    readonly remoteAddress: string | undefined,
    private readonly limits: ConnectionLimits,
    budget: ReceiveQueueBudget,
    scheduler: FrameScheduler,
  ) {
    this.rate = new WorkRateBucket(limits.burst, limits.perSecond);
    this.inbound = new ReceiveQueue({
      limit: limits.receiveQueueLimit,
      budget,
      scheduler,
      close: (code, reason) => this.close(code, reason),
      busyUntil: () => this.rate.fullAt(),
      charge: units => this.chargeBuckets(units),
      unitsPerMs: limits.workUnitsPerMs,
    });
    this.ready = new Promise(resolve => (this.markReady = resolve));
  }

  get digest(): string {
    return this.key.digest;
  }

  /** The id of the socket key (`socketKeyId()`). */
  get keyId(): string {
    return this.key.keyId;
  }

  /** Whether the client presented its key (a cookie, a header or the query), rather than getting a throwaway one. */
  get keyPresented(): boolean {
    return this.key.presented;
  }

  /** The socket key, for a request this app makes to itself on the connection's behalf. */
  keyForSelfRequest(): string {
    return this.key.socketKey;
  }

  /** @internal What `ChannelService.revoke()` reads. */
  [SOCKET_KEY_ID](): string {
    return this.key.keyId;
  }

  /**
   * Before the connection is set up (it is in no router yet): swaps a key
   * that turned out to be revoked for a throwaway one.
   */
  rekey(key: ConnectionKey): void {
    this.key = key;
  }

  stopReading(): void {
    this.ended = true;
    this.refusing = true;
    // Frames not answered yet never will be: their bytes go back at once.
    this.inbound.discard();
  }

  /** Whether the socket is open and its access was not ended: what it sent is still worth handling. */
  get isOpen(): boolean {
    return !this.ended && this.socket.readyState === WebSocket.OPEN;
  }

  /** Whether a frame that arrives now is read: the connection is open and was not refused. */
  get isReading(): boolean {
    return this.isOpen && !this.refusing;
  }

  get isReady(): boolean {
    return this.opened;
  }

  /** When `Welcome` was sent (ms since the epoch); 0 before. */
  get openedAt(): number {
    return this.welcomedAt;
  }

  /**
   * Stops reading because the client broke its rate: what was accepted before
   * is still answered, in order; then the last frame and the close. Before
   * `Welcome` they come at once, and what was accepted is dropped.
   */
  refuse(lastFrame: string, code: number, reason: string): void {
    this.refusing = true;
    const fail = () => this.fail(lastFrame, code, reason);
    if (!this.opened) fail();
    else this.enqueue(async () => fail());
  }

  /**
   * Sends the first frame (`Welcome`), then whatever was pushed while the
   * connection was being set up, and lets queued messages be handled.
   */
  open(welcome: string): void {
    this.opened = true;
    this.welcomedAt = Date.now();
    this.write(welcome);
    for (const frame of this.pending) this.write(frame);
    this.pending = [];
    this.markReady();
  }

  /**
   * Ends the connection with one last frame, written even before `Welcome`
   * (frames queued for after it, and client frames not answered yet, are
   * dropped).
   */
  fail(lastFrame: string, code: number, reason: string): void {
    this.pending = [];
    this.inbound.discard();
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(lastFrame, TEXT);
    this.close(code, reason);
  }

  write(frame: Buffer | string): void {
    if (!this.opened) {
      if (this.pending.length >= MAX_PENDING_FRAMES) this.close(CloseCode.SlowConsumer, 'Send buffer full');
      else this.pending.push(frame);
      return;
    }
    if (this.socket.readyState !== WebSocket.OPEN) return;
    // NOTE: checked before the write, so a stalled reader holds at most the
    // limit plus one frame; closing leaves every other subscriber untouched.
    if (this.socket.bufferedAmount > this.limits.sendBufferLimit) {
      this.close(CloseCode.SlowConsumer, 'Send buffer full');
      return;
    }
    this.socket.send(frame, this.compresses(frame) ? DEFLATED : TEXT);
  }

  /** Whether a frame is worth deflating on this socket (ws deflates each socket's copy). */
  private compresses(frame: Buffer | string): boolean {
    const from = this.limits.compressFrom;
    if (from === undefined) return false;
    return (typeof frame === 'string' ? Buffer.byteLength(frame) : frame.length) >= from;
  }

  emit(event: string, payload: unknown): void {
    this.write(encodeEvent(event, payload));
  }

  /** Sends an event that answers an action, echoing its tag. */
  reply(event: string, payload: unknown, tag: Tag): void {
    this.write(encodeEvent(event, payload, tag));
  }

  /**
   * Runs the work after everything queued before it, so that a connection's
   * messages take effect in the order they were sent (an Unsubscribe never
   * overtakes the Subscribe before it). `bytes` is the size of the frame it
   * answers: past `receiveQueueLimit` (or the gateway's total) the connection
   * is closed instead, and false returned.
   */
  enqueue(work: () => Promise<void>, bytes = 0): boolean {
    return this.inbound.push(work, bytes);
  }

  /**
   * Resolves at the frame's next slice of the gateway's scheduler, once the
   * work answering it has waited for I/O or a timer; `undefined` (go on at
   * once) within its slice, or outside any frame. What follows is measured
   * and charged to this connection, and waits for the connections that used
   * less of their rate lately.
   */
  turn(): Promise<void> | undefined {
    return this.inbound.turn();
  }

  /**
   * Ends the event loop's turn once the frame's slice is over: what it
   * started (a route call's HTTP request) is run before another connection's
   * frame can start more of the same.
   */
  endTurn(): void {
    this.inbound.endTurn();
  }

  /**
   * Ends the frame's slice here and resolves at its next one: the frame goes
   * on after the connections that used less of their rate lately. For a frame
   * that does many small things one after another (a `Subscribe` of 100 keys).
   */
  giveWay(): Promise<void> | undefined {
    return this.inbound.turn(true);
  }

  /** Bytes of this connection's frames waiting to be answered. */
  get queuedBytes(): number {
    return this.inbound.bytes;
  }

  /**
   * Takes `units` of work from the connection's rate and its address's;
   * false (taking nothing) when either has fewer left.
   */
  take(units: number, now = Date.now()): boolean {
    const address = this.limits.addressRate;
    if (!this.rate.has(units, now) || (address && !address.has(units, now))) return false;
    this.rate.take(units, now);
    address?.take(units, now);
    return true;
  }

  /**
   * Takes `units` for the work the frame being answered asks for (its keys, a
   * route call), like `take()`; they also pay for as much of its measured
   * work. `take(0)` fails once measured work took the rate below zero.
   */
  takeForFrame(units: number, now = Date.now()): boolean {
    if (!this.take(units, now)) return false;
    this.inbound.prepay(units);
    return true;
  }

  /**
   * Charges work the frame being answered turned out to ask for (the replies
   * of an `Unsubscribe` of everything); the buckets may go below zero.
   */
  charge(units: number, now = Date.now()): void {
    this.chargeBuckets(units, now);
    this.inbound.prepay(units);
  }

  /** Charges the connection's rate and its address's; they may go below zero. */
  private chargeBuckets(units: number, now = Date.now()): void {
    this.rate.charge(units, now);
    this.limits.addressRate?.charge(units, now);
  }

  /**
   * The socket closed: drops the frames still waiting (their bytes go back
   * to the gateway's budget) and lets one that waits for `Welcome` finish.
   */
  dispose(): void {
    this.inbound.discard();
    this.pending = [];
    this.markReady();
  }

  /** The client answered a ping: the next heartbeat finds it alive. */
  markAlive(): void {
    this.alive = true;
  }

  /**
   * One heartbeat: pings the client, or terminates the socket when the
   * previous ping went unanswered.
   */
  heartbeat(): void {
    if (!this.alive) {
      this.terminate();
      return;
    }
    this.alive = false;
    if (this.socket.readyState === WebSocket.OPEN) this.socket.ping();
  }

  close(code = 1000, reason = ''): void {
    const state = this.socket.readyState;
    if (state === WebSocket.OPEN || state === WebSocket.CONNECTING) this.socket.close(code, reason);
  }

  private terminate(): void {
    this.socket.terminate();
  }
}
