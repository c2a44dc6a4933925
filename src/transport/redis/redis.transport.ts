import { Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { isGivenPushId, pushIdOf } from '../../channels/push-id.util.js';
import type {
  ChannelHistory,
  ControlMessage,
  DirectMessage,
  PublishOptions,
  PublishOutcome,
  RealtimeTransport,
  TransportHealth,
  TransportReceiver,
} from '../../channels/realtime-transport.interface.js';
import type { ResolvedRedisOptions } from '../../interfaces/realtime-module-options.interface.js';
import type { TransportSettings } from '../../channels/realtime-backend.interface.js';
import { NO_POSITION, type ChannelPosition } from '../../protocol/channel-position.js';
import { decodeEnvelope, type EnvelopeKind } from './realtime-envelope.js';
import type { RedisConnections } from './redis-connections.js';
import { RedisFanoutClient, type FanoutEvent } from './redis-fanout.client.js';
import { RedisFanoutOutbox } from './redis-fanout.outbox.js';
import { positionOf, RedisFanoutServer, type FanoutPacket } from './redis-fanout.server.js';
import { topicOf, type Topic } from './redis-topics.js';

const KIND_OF: Record<DirectMessage['kind'], EnvelopeKind> = { frame: 'f', subscribe: 's', unsubscribe: 'u' };

/** Body of a subscribe message: the channels, and each one's position when it was made. */
interface SubscribeBody {
  channels: string[];
  positions: Array<[epoch: string | null, offset: number]>;
}

/**
 * Cross-instance delivery over Redis: the fan-out client publishes, the
 * fan-out server receives, and this class wires them to the channel layer.
 * One topic per channel and one per digest; an instance subscribes only to
 * topics it has local connections for. A channel's topic gives its pushes
 * their positions and keeps its history (a Redis stream). Pushes and direct
 * frames go through the outbox, which holds them while Redis is unavailable.
 */
export class RedisTransport implements RealtimeTransport, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('RealtimeModule');
  private readonly client: RedisFanoutClient;
  private readonly server: RedisFanoutServer;
  private readonly outbox: RedisFanoutOutbox;
  private receiver?: TransportReceiver;

  constructor(
    private readonly connections: RedisConnections,
    private readonly options: ResolvedRedisOptions,
    private readonly origin: string,
    settings: Pick<TransportSettings, 'idempotencyWindow' | 'subscriptionTtl'>,
  ) {
    this.client = new RedisFanoutClient(connections, {
      origin,
      backlogSize: options.backlogSize,
      backlogTtl: options.backlogTtl,
      positionTtl: settings.subscriptionTtl,
      idWindow: settings.idempotencyWindow,
    });
    this.server = new RedisFanoutServer(connections, packet => this.onPacket(packet));
    this.outbox = new RedisFanoutOutbox(
      connections.availability,
      (event, retry) => this.client.publish(retry ? { ...event, retry } : event),
      { size: options.outboxSize, maxAge: options.outboxMaxAge },
    );
  }

  bind(receiver: TransportReceiver): void {
    this.receiver = receiver;
  }

  onApplicationBootstrap(): void {
    this.server.listen(() =>
      this.logger.log(
        `Realtime fan-out on Redis (${this.connections.sharded ? 'cluster, sharded' : 'standalone'}) at ${this.connections.address}`,
      ),
    );
    // Every instance hears control messages (sign-outs), caught up after a reconnect like any topic.
    this.server.watch(this.controlTopic());
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.server.close();
    await this.outbox.close();
  }

  admit(count: number): void {
    this.outbox.admit(count);
  }

  publish(channel: string, frame: Buffer, options: PublishOptions = {}): Promise<PublishOutcome> {
    const { id = pushIdOf(undefined), history } = options;
    return this.outbox.publish({ topic: this.channelTopic(channel), kind: 'p', body: frame, id, history });
  }

  /**
   * Reads the position and the backlog after `since` in one transaction (the
   * topic's keys share a hash slot, so this works on a cluster too).
   */
  async history(channel: string, since: ChannelPosition | undefined, limit: number): Promise<ChannelHistory> {
    const topic = this.channelTopic(channel);
    const { commands, availability } = this.connections;
    const read = commands.multi().get(topic.epochKey).get(topic.seqKey);
    if (since && limit > 0) read.xrangeBuffer(topic.logKey, `(0-${since.offset}`, '+', 'COUNT', limit);
    const results = await availability.run(commands, `read the history of ${channel}`, () => read.exec());
    if (!results) throw new Error('Redis transaction was aborted');
    for (const [error] of results) if (error) throw error;
    const epoch = results[0]![1] as string | null;
    const entries = (results[2]?.[1] ?? []) as Array<[Buffer, Buffer[]]>;
    if (epoch === null) return { position: NO_POSITION, frames: [], complete: since === undefined || since.offset === 0 };
    const position = { epoch, offset: Number(results[1]![1] ?? 0) };
    const frames: ChannelHistory['frames'] = [];
    for (const [, fields] of entries) {
      const envelope = decodeEnvelope(fields[1] as Buffer);
      if (envelope?.epoch === epoch && envelope.offset <= position.offset) frames.push({ offset: envelope.offset, frame: envelope.body });
    }
    return { position, frames, complete: coversGap(since, position, frames, limit) };
  }

  async publishDirect(digest: string, message: DirectMessage, options: PublishOptions = {}): Promise<PublishOutcome> {
    const topic = this.digestTopic(digest);
    const id = options.id ?? pushIdOf(undefined);
    if (message.kind === 'frame') return this.outbox.publish({ topic, kind: 'f', body: message.frame, id });
    let body: string;
    if (message.kind === 'unsubscribe') body = JSON.stringify(message.channels);
    else {
      // The instance that holds the socket may subscribe to these channels
      // only after later pushes went out; their positions now tell it where
      // to catch up from.
      const positions = await this.positions(message.channels);
      body = JSON.stringify({ channels: message.channels, positions } satisfies SubscribeBody);
    }
    // NOTE: subscription changes are not queued: the registry they go with is
    // in Redis too, so the caller hears that Redis is unavailable and retries.
    await this.emit({ topic, kind: KIND_OF[message.kind], body, id });
    return 'published';
  }

  publishControl(message: ControlMessage): Promise<void> {
    return this.emit({ topic: this.controlTopic(), kind: 'x', body: JSON.stringify(message), id: pushIdOf(undefined) });
  }

  watchChannel(channel: string): void {
    this.server.watch(this.channelTopic(channel));
  }

  unwatchChannel(channel: string): void {
    this.server.unwatch(this.channelTopic(channel));
  }

  watchDigest(digest: string): void {
    this.server.watch(this.digestTopic(digest));
  }

  unwatchDigest(digest: string): void {
    this.server.unwatch(this.digestTopic(digest));
  }

  settled(): Promise<void> {
    return this.server.settled();
  }

  /**
   * Up when Redis answers, this instance listens to everything it needs and
   * has caught up, and no push waits in the outbox.
   */
  health(): TransportHealth {
    const { availability, commands, subscriber, sharded } = this.connections;
    const synced = this.server.synced;
    const queued = this.outbox.queued;
    return {
      up: availability.up && synced && this.outbox.direct,
      transport: sharded ? 'redis-cluster' : 'redis',
      commands: commands.status,
      subscriber: subscriber.status,
      ...(availability.reason ? { unavailable: availability.reason } : {}),
      synced,
      queued,
    };
  }

  private async emit(event: FanoutEvent): Promise<void> {
    const { availability, commands } = this.connections;
    await availability.run(commands, `publish to ${event.topic.channel}`, () => this.client.publish(event));
  }

  /**
   * A message, by the kind of its topic. Channel pushes are delivered from
   * here on every instance, their publisher's too, so that each gets them in
   * offset order; the rest only on the others (the sender served its own).
   */
  private onPacket(packet: FanoutPacket): void {
    if (packet.topic.kind === 'c') this.onChannel(packet);
    else if (packet.envelope.origin === this.origin) return;
    else if (packet.topic.kind === 'd') this.onDirect(packet);
    else this.onControl(packet);
  }

  private onChannel({ topic, envelope }: FanoutPacket): void {
    const position = { epoch: envelope.epoch, offset: envelope.offset };
    this.receiver?.receiveChannelFrame(topic.name, envelope.body, position, callerId(envelope.id));
  }

  private onDirect({ topic, envelope }: FanoutPacket): void {
    if (!this.receiver) return;
    if (envelope.kind === 'f') {
      this.receiver.receiveDirect(topic.name, { kind: 'frame', frame: envelope.body }, callerId(envelope.id));
      return;
    }
    if (envelope.kind === 's') {
      const { channels, positions } = JSON.parse(envelope.body.toString()) as SubscribeBody;
      channels.forEach((channel, index) => {
        const position = positions[index];
        if (position) this.server.startFrom(this.channelTopic(channel), { epoch: position[0] ?? undefined, offset: position[1] });
      });
      this.receiver.receiveDirect(topic.name, { kind: 'subscribe', channels });
    } else if (envelope.kind === 'u') {
      const channels = JSON.parse(envelope.body.toString()) as string[] | null;
      this.receiver.receiveDirect(topic.name, { kind: 'unsubscribe', channels });
    }
  }

  private onControl({ envelope }: FanoutPacket): void {
    let message: ControlMessage;
    try {
      message = JSON.parse(envelope.body.toString()) as ControlMessage;
    } catch {
      return;
    }
    this.receiver?.receiveControl(message);
  }

  private async positions(channels: readonly string[]): Promise<SubscribeBody['positions']> {
    const found = await Promise.all(channels.map(channel => positionOf(this.connections, this.channelTopic(channel))));
    return found.map(position => [position.epoch ?? null, position.offset]);
  }

  private channelTopic(channel: string): Topic {
    return topicOf(this.options.prefix, 'c', channel);
  }

  private digestTopic(digest: string): Topic {
    return topicOf(this.options.prefix, 'd', digest);
  }

  private controlTopic(): Topic {
    return topicOf(this.options.prefix, 'b', 'control');
  }
}

/**
 * Whether the frames read are everything after `since` up to `position`: same
 * epoch (or nothing at `since`), none trimmed away, and within the limit.
 */
function coversGap(since: ChannelPosition | undefined, position: ChannelPosition, frames: ChannelHistory['frames'], limit: number): boolean {
  if (!since) return true;
  const from = since.epoch === position.epoch ? since.offset : since.offset === 0 ? 0 : undefined;
  if (from === undefined || from > position.offset) return false;
  const wanted = position.offset - from;
  if (wanted === 0) return true;
  if (wanted > limit || frames.length !== wanted) return false;
  return frames[0]!.offset === from + 1;
}

/** The push id a receiver should remember: only a caller's. */
function callerId(id: string | undefined): string | undefined {
  return isGivenPushId(id) ? id : undefined;
}
