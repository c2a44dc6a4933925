import { Logger } from '@nestjs/common';
import type { PublishOutcome } from '../../channels/realtime-transport.interface.js';
import { OUTBOX_CLOSED, OUTBOX_DISABLED, OUTBOX_FULL, OUTBOX_TOO_OLD } from '../../realtime.messages.js';
import { RealtimeTransportError } from '../../errors/realtime-transport.error.js';
import type { RedisAvailability } from './redis-availability.monitor.js';
import type { FanoutEvent } from './redis-fanout.client.js';

/** `redis.outbox`, resolved. */
export interface OutboxSettings {
  /** Most messages that may wait for Redis; 0 turns queueing off. */
  size: number;
  /** How long into an outage messages are still queued, in ms. */
  maxAge: number;
}

interface Entry {
  readonly event: FanoutEvent;
  /** The attempt in flight, if any. */
  attempt: Promise<number> | undefined;
  /** When that attempt was sent. */
  sentAt: number;
  /** An earlier attempt may have run in Redis without an answer reaching us. */
  uncertain: boolean;
  /** Tells the caller of `publish()`, once. */
  answer: ((outcome: PublishOutcome) => void) | undefined;
}

/** Messages sent together while draining (pipelined, in order). */
const BATCH = 100;
/** Wait before draining again after Redis refused a message while it was up. */
const RETRY_MS = 1000;

/**
 * Every message handed to Redis and not acknowledged yet, in the order it was
 * made. While Redis is up, a message is sent at once and leaves when Redis
 * answers. While it is not, messages wait here, and are sent in order once it
 * is back (pipelined in batches); messages made meanwhile wait behind them,
 * so that order holds.
 *
 * A message whose attempt failed or timed out may have run in Redis anyway.
 * Its attempt is awaited if it may still answer, and it is sent again only
 * when that attempt is known to have failed: then the fan-out script drops it
 * if it ran (a caller's id is remembered in Redis; a made-up id is looked for
 * in the backlog).
 */
export class RedisFanoutOutbox {
  private readonly logger = new Logger('RealtimeModule');
  private readonly entries = new Set<Entry>();
  /** Entries with an attempt in flight. */
  private inFlight = 0;
  private draining: Promise<void> | undefined;
  private retryTimer?: NodeJS.Timeout;
  /** Runs while attempts are in flight: one timer for all, not one per push. */
  private watchdog?: NodeJS.Timeout;
  private accepting = true;
  private readonly stopListening: () => void;

  constructor(
    private readonly availability: RedisAvailability,
    /** Sends one message; `retry` when an earlier attempt may have run. */
    private readonly send: (event: FanoutEvent, retry: boolean) => Promise<number>,
    private readonly settings: OutboxSettings,
  ) {
    this.stopListening = availability.onUp(() => void this.drain());
  }

  /** Messages waiting for Redis (not counting those in flight). */
  get queued(): number {
    return this.entries.size - this.inFlight;
  }

  /** Whether a new message is sent at once: Redis is up and nothing waits before it. */
  get direct(): boolean {
    return this.availability.up && this.draining === undefined && this.queued === 0;
  }

  /**
   * Throws a `RealtimeTransportError` if `count` more messages cannot be taken
   * now: Redis is unavailable and the outbox is off, full, or the outage older
   * than `maxAge`.
   */
  admit(count: number): void {
    if (!this.accepting) throw new RealtimeTransportError(OUTBOX_CLOSED(), { code: 'Unavailable' });
    if (this.direct) return;
    const { size, maxAge } = this.settings;
    if (size === 0) throw new RealtimeTransportError(OUTBOX_DISABLED(), { code: 'Unavailable' });
    const since = this.availability.downSince;
    if (since !== undefined && Date.now() - since > maxAge) {
      throw new RealtimeTransportError(OUTBOX_TOO_OLD(maxAge), { code: 'OutboxFull' });
    }
    if (this.entries.size + count > size) throw new RealtimeTransportError(OUTBOX_FULL(size), { code: 'OutboxFull' });
  }

  /**
   * Takes a message: `published` once Redis acknowledged it, `queued` when it
   * waits (or its attempt did not answer within `commandTimeout`). Rejects
   * only when `admit(1)` would throw.
   */
  publish(event: FanoutEvent): Promise<PublishOutcome> {
    try {
      this.admit(1);
    } catch (error) {
      return Promise.reject(error);
    }
    const entry: Entry = { event, attempt: undefined, sentAt: 0, uncertain: false, answer: undefined };
    const direct = this.direct;
    this.entries.add(entry);
    if (!direct) return Promise.resolve('queued');
    return new Promise(resolve => {
      entry.answer = resolve;
      this.start(entry);
      if (!this.watchdog) {
        this.watchdog = setInterval(() => this.checkInFlight(), Math.max(10, this.availability.timeoutMs / 4));
        this.watchdog.unref();
      }
    });
  }

  /**
   * Stops taking messages, and gives what waits a last chance to go out (at
   * most a few seconds); logs what could not.
   */
  async close(): Promise<void> {
    this.accepting = false;
    clearTimeout(this.retryTimer);
    clearInterval(this.watchdog);
    this.watchdog = undefined;
    if (this.entries.size > 0 && this.availability.up) {
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>(resolve => (timer = setTimeout(resolve, Math.max(this.availability.timeoutMs, 5000))));
      await Promise.race([this.drain(), grace]);
      clearTimeout(timer);
    }
    this.stopListening();
    if (this.entries.size > 0) {
      this.logger.warn(`${this.entries.size} push(es) made while Redis was unavailable never reached the other instances: shutting down`);
    }
  }

  /** Sends the entry; it leaves the outbox once Redis acknowledges any attempt. */
  private start(entry: Entry): Promise<number> {
    const attempt = this.send(entry.event, entry.uncertain);
    if (entry.attempt === undefined) this.inFlight += 1;
    entry.attempt = attempt;
    entry.sentAt = Date.now();
    attempt.then(
      offset => {
        if (this.entries.delete(entry) && entry.attempt !== undefined) this.inFlight -= 1;
        entry.attempt = undefined;
        // NOTE: 0 is a repeat. Of a caller's id, on a first attempt: a push
        // made twice. Of a retry: the earlier attempt ran after all.
        const repeat = offset === 0 && !entry.uncertain && entry.event.id.startsWith('k:');
        this.answer(entry, repeat ? 'duplicate' : 'published');
      },
      () => {
        this.lose(entry, attempt);
        this.answer(entry, 'queued');
        this.retrySoon();
      },
    );
    return attempt;
  }

  private answer(entry: Entry, outcome: PublishOutcome): void {
    const answer = entry.answer;
    entry.answer = undefined;
    answer?.(outcome);
  }

  /**
   * Once the oldest attempt in flight has waited `commandTimeout`, Redis is
   * stalled: every caller still waiting hears `queued` (the attempts stay in
   * flight, and count if Redis answers them late).
   */
  private checkInFlight(): void {
    if (this.inFlight === 0) {
      clearInterval(this.watchdog);
      this.watchdog = undefined;
      return;
    }
    let oldest: Entry | undefined;
    for (const entry of this.entries) {
      if (entry.attempt) {
        oldest = entry;
        break;
      }
    }
    if (!oldest || Date.now() - oldest.sentAt < this.availability.timeoutMs) return;
    this.availability.stall(`no answer to a push within ${this.availability.timeoutMs} ms`);
    for (const entry of this.entries) this.answer(entry, 'queued');
  }

  /** The attempt failed or will not answer: the entry waits again, and its next attempt checks first. */
  private lose(entry: Entry, attempt: Promise<number>): void {
    if (entry.attempt !== attempt || !this.entries.has(entry)) return;
    entry.attempt = undefined;
    entry.uncertain = true;
    this.inFlight -= 1;
  }

  private drain(): Promise<void> {
    this.draining ??= this.flush().finally(() => (this.draining = undefined));
    return this.draining;
  }

  private async flush(): Promise<void> {
    let sent = 0;
    while (this.availability.up && this.entries.size > 0) {
      const batch: Entry[] = [];
      for (const entry of this.entries) {
        batch.push(entry);
        if (batch.length === BATCH) break;
      }
      const done = await Promise.all(batch.map(entry => this.settle(entry)));
      sent += done.filter(Boolean).length;
      if (done.includes(false)) {
        if (this.availability.up) this.retrySoon();
        break;
      }
    }
    if (this.entries.size === 0 && sent > 0) this.logger.log(`Redis is back: ${sent} queued push(es) published`);
  }

  /** Waits for the entry's attempt, or makes one; true once Redis acknowledged it. */
  private async settle(entry: Entry): Promise<boolean> {
    const pending = entry.attempt;
    if (pending) {
      try {
        // NOTE: not a stall if it never answers: ioredis may have dropped it
        // with its connection, while Redis answers other commands.
        await this.availability.bounded('publish a queued push', pending, { stall: false });
        return true;
      } catch {
        this.lose(entry, pending);
      }
    }
    if (!this.entries.has(entry)) return true;
    if (!this.availability.up) return false;
    try {
      await this.availability.bounded('publish a queued push', this.start(entry));
      return true;
    } catch {
      return false;
    }
  }

  private retrySoon(): void {
    if (this.retryTimer || !this.accepting) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.drain();
    }, RETRY_MS);
  }
}
