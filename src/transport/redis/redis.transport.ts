import { Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { isGivenPushId, pushIdOf } from '../../channels/push-id.util.js';
import type {
  ControlMessage,
  DirectMessage,
  PublishOptions,
  PublishOutcome,
  RealtimeTransport,
  TransportHealth,
  TransportReceiver,
} from '../../channels/realtime-transport.interface.js';
import type { ResolvedRedisOptions } from '../../interfaces/realtime-module-options.interface.js';
import type { EnvelopeKind } from './realtime-envelope.js';
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
 * Cross-instance delivery over Redis, as a Nest microservice transport: a
 * `ClientProxy` publishes, a transport-strategy `Server` receives, and this
 * class wires them to the channel layer. One topic per channel and one per
 * digest; an instance subscribes only to topics it has local connections for,
 * and never delivers its own messages twice (the local router already did).
 * Pushes and direct frames go through the outbox, which holds them while
 * Redis is unavailable.
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
    origin: string,
    /** How long a caller's push id is remembered, in ms (`idempotency.window`). */
    idWindow: number,
  ) {
    this.client = new RedisFanoutClient(connections, {
      origin,
      backlogSize: options.backlogSize,
      backlogTtl: options.backlogTtl,
      idWindow,
    });
    this.server = new RedisFanoutServer(connections, origin, packet => this.onPacket(packet));
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
    return this.outbox.publish({ topic: this.channelTopic(channel), kind: 'p', body: frame, id: options.id ?? pushIdOf(undefined) });
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

  /** A message of another instance, by the kind of its topic. */
  private onPacket(packet: FanoutPacket): void {
    if (packet.topic.kind === 'c') this.onChannel(packet);
    else if (packet.topic.kind === 'd') this.onDirect(packet);
    else this.onControl(packet);
  }

  private onChannel({ topic, envelope }: FanoutPacket): void {
    this.receiver?.receiveChannelFrame(topic.name, envelope.body, callerId(envelope.id));
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

/** The push id a receiver should remember: only a caller's. */
function callerId(id: string | undefined): string | undefined {
  return isGivenPushId(id) ? id : undefined;
}
