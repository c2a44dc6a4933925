import { Logger } from '@nestjs/common';
import { REDIS_UNAVAILABLE } from '../../realtime.messages.js';
import { RealtimeTransportError } from '../../errors/realtime-transport.error.js';
import { decodeEnvelope, type Envelope } from './realtime-envelope.js';
import type { RedisConnections } from './redis-connections.js';
import type { Topic } from './redis-topics.js';

/** What the server hands on: a message of another instance, in order, once. */
export interface FanoutPacket {
  topic: Topic;
  envelope: Envelope;
}

/** Where the server hands messages on (this instance's own too: channel pushes reach it this way). */
export type FanoutHandler = (packet: FanoutPacket) => void;

/** A position in a topic: its epoch and the offset last published. */
export interface TopicPosition {
  epoch: string | undefined;
  offset: number;
}

interface TopicState {
  topic: Topic;
  /** Epoch of the last message seen (or of the baseline). */
  epoch: string | undefined;
  /** Offset of the last message delivered (or of the baseline). */
  offset: number;
  /** While catching up, live messages wait here in arrival order. */
  held: Envelope[] | undefined;
  /** Subscribed on the subscriber connection as it is now. */
  live: boolean;
}

/** A topic's current position, read from Redis (bounded in time). */
export async function positionOf(connections: RedisConnections, topic: Topic): Promise<TopicPosition> {
  const { commands } = connections;
  const [epoch, seq] = await connections.availability.run(commands, 'read a channel position', () =>
    Promise.all([commands.get(topic.epochKey), commands.get(topic.seqKey)]),
  );
  return { epoch: epoch ?? undefined, offset: epoch ? Number(seq ?? 0) : 0 };
}

/** How many topics one SUBSCRIBE / UNSUBSCRIBE names at most. */
const BATCH = 500;
const RETRY_MS = 250;

/**
 * The receiving half of the fan-out transport, on ioredis. It subscribes only to topics that have local
 * connections (batched: one SUBSCRIBE for everything asked in the same tick),
 * delivers each message once in offset order, and fills gaps from the topic's
 * backlog: after a reconnect, when offsets jump, and for what was published
 * between reading a topic's position and subscribing to it.
 */
export class RedisFanoutServer {
  private readonly logger = new Logger('RealtimeModule');
  private readonly wanted = new Map<string, Topic>();
  private readonly states = new Map<string, TopicState>();
  /** Where to start a topic that is not watched yet, when the caller knows better than "now". */
  private readonly starts = new Map<string, TopicPosition>();
  private listening = false;
  private flushing: Promise<void> | undefined;
  private flushAgain = false;
  private resyncTimer: NodeJS.Timeout | undefined;
  /** Something failed while Redis was unavailable: re-subscribe once it is back. */
  private resyncWhenUp = false;
  private stopWaitingForRedis?: () => void;
  /** Watches and unwatches asked for so far, and how many of them a finished flush has seen. */
  private requested = 0;
  private applied = 0;
  /**
   * Some topic is not subscribed on the connection as it is now (it dropped,
   * or a change failed) until a resync has gone through.
   */
  private broken = false;

  constructor(
    private readonly connections: RedisConnections,
    /** Takes every message, this instance's too, in offset order per topic. */
    private readonly handler: FanoutHandler,
  ) {}

  listen(callback: () => void): void {
    const subscriber = this.connections.subscriber as NodeJS.EventEmitter;
    subscriber.on(this.connections.sharded ? 'smessageBuffer' : 'messageBuffer', this.onMessage);
    subscriber.on('ready', this.onReady);
    subscriber.on('close', this.onDown);
    // After a stall, re-subscribe at once rather than at the next retry.
    this.stopWaitingForRedis = this.connections.availability.onUp(() => {
      if (this.resyncTimer || this.resyncWhenUp) void this.resync();
    });
    this.listening = true;
    this.scheduleFlush();
    callback();
  }

  close(): void {
    this.listening = false;
    clearTimeout(this.resyncTimer);
    const subscriber = this.connections.subscriber as NodeJS.EventEmitter;
    subscriber.off(this.connections.sharded ? 'smessageBuffer' : 'messageBuffer', this.onMessage);
    subscriber.off('ready', this.onReady);
    subscriber.off('close', this.onDown);
    this.stopWaitingForRedis?.();
  }

  /** Starts receiving a topic (idempotent; applied with the rest of this tick's changes). */
  watch(topic: Topic): void {
    this.wanted.set(topic.channel, topic);
    this.requested += 1;
    this.scheduleFlush();
  }

  /**
   * If the topic gets watched in this tick and is not received yet, messages
   * published after `position` are delivered, even those that came before the
   * subscription took effect. A hint only: it subscribes to nothing.
   */
  startFrom(topic: Topic, position: TopicPosition): void {
    if (!this.states.has(topic.channel)) this.starts.set(topic.channel, position);
  }

  /**
   * Resolves once every watch and unwatch asked for so far has been applied:
   * every watched topic is subscribed on the subscriber connection as it is
   * now. Rejects with a `RealtimeTransportError` when that cannot be said
   * (Redis is unavailable), within `redis.commandTimeout`.
   */
  async settled(): Promise<void> {
    if (!this.listening) return;
    await this.connections.availability.bounded('subscribe to the channels asked for', this.inEffect(), { stall: false });
  }

  /**
   * Waits for the flushes that apply what was asked until now (not for later
   * ones: under churn they never end), then says whether it all took effect.
   */
  private async inEffect(): Promise<void> {
    const asked = this.requested;
    while (this.applied < asked && this.flushing) await this.flushing;
    const { status } = this.connections.subscriber;
    if (status !== 'ready' || this.broken || this.applied < asked) {
      const why = status !== 'ready' ? `subscriber connection ${status}` : 'a subscription change is waiting to be retried';
      throw new RealtimeTransportError(REDIS_UNAVAILABLE('subscribe to the channels asked for', why), { code: 'Unavailable' });
    }
  }

  unwatch(topic: Topic): void {
    this.wanted.delete(topic.channel);
    this.requested += 1;
    this.scheduleFlush();
  }

  /** Topics subscribed and caught up; false while any is pending. */
  get synced(): boolean {
    if (this.wanted.size !== this.states.size) return false;
    for (const state of this.states.values()) if (state.held || !state.live) return false;
    return true;
  }

  private readonly onMessage = (channel: Buffer, message: Buffer): void => {
    const state = this.states.get(channel.toString());
    const envelope = decodeEnvelope(message);
    if (!state || !envelope) return;
    this.receive(state, envelope);
  };

  private readonly onDown = (): void => {
    // Everything must be subscribed again, and caught up, once Redis is back.
    this.broken = true;
    for (const state of this.states.values()) {
      state.held ??= [];
      state.live = false;
    }
  };

  private readonly onReady = (): void => {
    void this.resync();
  };

  private receive(state: TopicState, envelope: Envelope): void {
    if (state.held) {
      state.held.push(envelope);
      return;
    }
    if (envelope.epoch !== state.epoch) {
      // A new epoch: Redis lost the topic's backlog and started over. Every
      // message of the new epoch is new to us.
      state.epoch = envelope.epoch;
      state.offset = 0;
    }
    if (envelope.offset <= state.offset) return;
    if (envelope.offset > state.offset + 1) {
      state.held = [envelope];
      void this.catchUp([state]);
      return;
    }
    this.deliver(state, envelope);
  }

  private deliver(state: TopicState, envelope: Envelope): void {
    state.offset = envelope.offset;
    try {
      this.handler({ topic: state.topic, envelope });
    } catch (error) {
      this.logger.error(`Delivering ${state.topic.channel}#${envelope.offset} failed`, (error as Error)?.stack);
    }
  }

  /**
   * Reads what was missed from each topic's backlog, delivers it in order,
   * then whatever arrived live meanwhile. A topic whose epoch changed is read
   * from the start of the new epoch.
   */
  private async catchUp(states: TopicState[]): Promise<void> {
    try {
      const { commands, availability } = this.connections;
      const epochs = await availability.run(commands, 'read channel epochs', () =>
        Promise.all(states.map(state => commands.get(state.topic.epochKey))),
      );
      const logs = await availability.run(commands, 'read channel backlogs', () =>
        Promise.all(
          states.map((state, index) => {
            const sameEpoch = epochs[index] !== null && epochs[index] === state.epoch;
            return commands.xrangeBuffer(state.topic.logKey, sameEpoch ? `(0-${state.offset}` : '-', '+');
          }),
        ),
      );
      states.forEach((state, index) => {
        const epoch = epochs[index];
        if (epoch !== null && epoch !== state.epoch) {
          state.epoch = epoch;
          state.offset = 0;
        }
        const entries = logs[index] ?? [];
        const first = entries[0] ? decodeEnvelope(entries[0][1][1] as Buffer) : undefined;
        if (first && first.offset > state.offset + 1 && state.offset > 0) {
          this.logger.warn(
            `${state.topic.channel}: ${first.offset - state.offset - 1} message(s) left the backlog before they could be caught up`,
          );
        }
        const held = state.held ?? [];
        state.held = undefined;
        for (const [, fields] of entries) {
          const envelope = decodeEnvelope(fields[1] as Buffer);
          if (envelope && envelope.epoch === state.epoch && envelope.offset > state.offset) this.deliver(state, envelope);
        }
        for (const envelope of held) this.receive(state, envelope);
      });
    } catch (error) {
      // Subscribed, so later pushes are held for them: not broken.
      this.retryLater(`Catching up ${states.length} topic(s)`, error, false);
    }
  }

  private scheduleFlush(): void {
    if (!this.listening) return;
    if (this.flushing) {
      this.flushAgain = true;
      return;
    }
    this.flushing = new Promise<void>(resolve => setImmediate(resolve))
      .then(() => this.flush())
      .catch(error => {
        this.retryLater('Redis subscription change', error);
      })
      .finally(() => {
        this.flushing = undefined;
        if (this.flushAgain) {
          this.flushAgain = false;
          this.scheduleFlush();
        }
      });
  }

  /** Applies the difference between wanted and subscribed topics. */
  private async flush(): Promise<void> {
    const asked = this.requested;
    try {
      await this.apply();
    } finally {
      this.applied = asked;
    }
  }

  private async apply(): Promise<void> {
    if (this.connections.subscriber.status !== 'ready') return;
    const added = [...this.wanted.values()].filter(topic => !this.states.has(topic.channel));
    const removed = [...this.states.keys()].filter(channel => !this.wanted.has(channel));
    for (const channel of removed) this.states.delete(channel);
    for (const channel of this.starts.keys()) if (!this.wanted.has(channel)) this.starts.delete(channel);
    for (let index = 0; index < removed.length; index += BATCH) {
      await this.unsubscribe(removed.slice(index, index + BATCH));
    }
    if (added.length > 0) await this.add(added);
  }

  /** Baseline, subscribe, then catch up what was published in between. */
  private async add(topics: Topic[]): Promise<void> {
    const baselines = await Promise.all(
      topics.map(topic => {
        const start = this.starts.get(topic.channel);
        this.starts.delete(topic.channel);
        return start ?? positionOf(this.connections, topic);
      }),
    );
    const states = topics.map((topic, index): TopicState => ({ topic, ...baselines[index]!, held: [], live: false }));
    for (const state of states) this.states.set(state.topic.channel, state);
    for (let index = 0; index < states.length; index += BATCH) {
      await this.subscribe(states.slice(index, index + BATCH));
    }
    await this.catchUp(states.filter(state => this.states.get(state.topic.channel) === state));
  }

  /** After a reconnect: subscribe everything again and catch up. */
  private async resync(): Promise<void> {
    clearTimeout(this.resyncTimer);
    this.resyncTimer = undefined;
    this.resyncWhenUp = false;
    if (!this.listening || this.connections.subscriber.status !== 'ready') return;
    try {
      const states = [...this.states.values()];
      for (const state of states) state.held ??= [];
      for (let index = 0; index < states.length; index += BATCH) {
        await this.subscribe(states.slice(index, index + BATCH));
      }
      this.broken = false;
      await this.catchUp(states);
      this.scheduleFlush();
    } catch (error) {
      this.retryLater('Re-subscribing after a Redis reconnect', error);
    }
  }

  /**
   * Tries again: soon, if Redis is up; once it is back, if not.
   *
   * NOTE: failing while Redis is known to be unavailable is expected (the
   * outage is reported once, and in health): not worth a warning each time.
   */
  private retryLater(what: string, error: unknown, broken = true): void {
    if (broken) this.broken = true;
    const message = `${what} failed, retrying: ${(error as Error)?.message ?? error}`;
    if (this.connections.availability.up) {
      this.logger.warn(message);
      this.scheduleResync();
    } else {
      this.logger.debug(message);
      this.resyncWhenUp = true;
    }
  }

  private scheduleResync(): void {
    if (!this.listening) return;
    clearTimeout(this.resyncTimer);
    this.resyncTimer = setTimeout(() => void this.resync(), RETRY_MS);
  }

  /** Subscribes the topics; they are live once Redis acknowledged it. */
  private async subscribe(states: TopicState[]): Promise<void> {
    await this.change('subscribe', states.map(state => state.topic.channel));
    for (const state of states) state.live = true;
  }

  private unsubscribe(channels: string[]): Promise<void> {
    return this.change('unsubscribe', channels);
  }

  private async change(command: 'subscribe' | 'unsubscribe', channels: string[]): Promise<void> {
    if (channels.length === 0) return;
    const { subscriber, availability } = this.connections;
    await availability.run(subscriber, `${command} to ${channels.length} topic(s)`, async () => {
      if (!this.connections.sharded) {
        await subscriber[command](...channels);
        return;
      }
      // SSUBSCRIBE takes channels of one slot only, and ours hash to many: one
      // command per channel, sent together so they pipeline per shard.
      const sharded = command === 'subscribe' ? 'ssubscribe' : 'sunsubscribe';
      await Promise.all(channels.map(channel => subscriber[sharded](channel)));
    });
  }
}
