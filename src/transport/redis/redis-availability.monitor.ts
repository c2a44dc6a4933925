import { Logger } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import { REDIS_FAILED, REDIS_TIMEOUT, REDIS_UNAVAILABLE } from '../../realtime.messages.js';
import { RealtimeTransportError } from '../../errors/realtime-transport.error.js';

type Client = Redis | Cluster;

/** How often a stalled Redis is asked whether it answers again. */
const PROBE_MS = 250;
const TIMED_OUT = Symbol('timed out');

/**
 * Whether Redis can be used now, and the one way to use it: every command goes
 * through `run()` (or `bounded()`), which refuses at once while Redis is known
 * to be unavailable, gives up after `redis.commandTimeout`, and turns every
 * failure into a `RealtimeTransportError`.
 *
 * Redis is unavailable while either connection is not ready, and, after a
 * command timed out, until it answers a PING again.
 *
 * NOTE: a Redis that hangs (stopped, swapping, a network that drops packets)
 * keeps its sockets open, so ioredis never notices: only a timeout tells.
 */
export class RedisAvailability {
  private readonly logger = new Logger('RealtimeModule');
  private readonly listeners = new Set<() => void>();
  /** Why Redis counts as stalled, after a timeout; cleared by an answer. */
  private stalled: string | undefined;
  private downAt: number | undefined;
  private probeTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly commands: Client,
    private readonly subscriber: Client,
    /** `redis.commandTimeout` */
    readonly timeoutMs: number,
  ) {
    for (const client of [commands, subscriber]) {
      client.on('ready', this.onReady);
      client.on('close', this.onClose);
    }
  }

  /** Both connections are ready and Redis answers. */
  get up(): boolean {
    return !this.stalled && this.commands.status === 'ready' && this.subscriber.status === 'ready';
  }

  /** When the current outage began; `undefined` while Redis is up. */
  get downSince(): number | undefined {
    return this.up ? undefined : (this.downAt ?? Date.now());
  }

  /** Why Redis is unavailable, for errors and health; `undefined` while it is up. */
  get reason(): string | undefined {
    if (this.stalled) return this.stalled;
    for (const [role, client] of [['commands', this.commands], ['subscriber', this.subscriber]] as const) {
      if (client.status !== 'ready') return `${role} connection ${client.status}`;
    }
    return undefined;
  }

  /** Calls `listener` each time Redis becomes available again; returns the way to stop. */
  onUp(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Runs a command on `client`: refused with `Unavailable` at once when that
   * connection is not ready or Redis is stalled, failed with `Timeout` after
   * `commandTimeout`. `what` completes "could not ..." in the error.
   */
  async run<T>(client: Client, what: string, command: () => Promise<T>): Promise<T> {
    if (this.closed || this.stalled || client.status !== 'ready') {
      const why = this.closed ? 'shutting down' : (this.stalled ?? `connection ${client.status}`);
      throw new RealtimeTransportError(REDIS_UNAVAILABLE(what, why), { code: 'Unavailable' });
    }
    return this.bounded(what, command());
  }

  /**
   * Waits at most `commandTimeout` for a command already sent. A timeout
   * stalls Redis, unless `stall: false` (the command may simply be lost).
   */
  async bounded<T>(what: string, pending: Promise<T>, options: { stall?: boolean } = {}): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(TIMED_OUT), this.timeoutMs);
    });
    try {
      return await Promise.race([pending, timeout]);
    } catch (error) {
      if (error === TIMED_OUT) {
        if (options.stall !== false) this.stall(`no answer to ${what} within ${this.timeoutMs} ms`);
        throw new RealtimeTransportError(REDIS_TIMEOUT(what, this.timeoutMs), { code: 'Timeout' });
      }
      if (error instanceof RealtimeTransportError) throw error;
      throw new RealtimeTransportError(REDIS_FAILED(what, (error as Error)?.message ?? String(error)), {
        code: 'Unavailable',
        cause: error,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.probeTimer);
    for (const client of [this.commands, this.subscriber]) {
      client.off('ready', this.onReady);
      client.off('close', this.onClose);
    }
    this.listeners.clear();
  }

  /** Redis did not answer in time: unavailable until it answers a PING again. */
  stall(reason: string): void {
    if (this.closed || this.stalled) return;
    this.stalled = reason;
    this.downAt ??= Date.now();
    this.logger.warn(`Redis stalled (${reason}): until it answers again, Redis calls fail at once and pushes are queued`);
    this.scheduleProbe();
  }

  private scheduleProbe(): void {
    clearTimeout(this.probeTimer);
    this.probeTimer = setTimeout(() => void this.probe(), PROBE_MS);
  }

  private async probe(): Promise<void> {
    if (this.closed || !this.stalled) return;
    if (this.commands.status === 'ready') {
      try {
        // NOTE: on one connection Redis answers in order, so once this PING is
        // answered, so is every command sent before it.
        await this.bounded('answer PING', this.commands.ping());
        this.stalled = undefined;
        this.announceIfUp();
        return;
      } catch {
        // Still stalled: try again.
      }
    }
    this.scheduleProbe();
  }

  private readonly onReady = (): void => {
    // A fresh connection answered its handshake: Redis answers again.
    this.stalled = undefined;
    this.announceIfUp();
  };

  private readonly onClose = (): void => {
    this.downAt ??= Date.now();
  };

  private announceIfUp(): void {
    if (!this.up || this.closed) return;
    const wasDown = this.downAt !== undefined;
    this.downAt = undefined;
    clearTimeout(this.probeTimer);
    if (wasDown) this.logger.log('Redis is available again');
    for (const listener of [...this.listeners]) listener();
  }
}
