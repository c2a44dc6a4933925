import { Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { lastValueFrom } from 'rxjs';
import type {
  ControlMessage,
  DirectMessage,
  RealtimeTransport,
  TransportHealth,
  TransportReceiver,
} from '../../channels/realtime-transport.interface.js';
import type { ResolvedRedisOptions } from '../../interfaces/realtime-module-options.interface.js';
import { RealtimeTransportError } from '../realtime-transport.error.js';
import type { EnvelopeKind } from './realtime-envelope.js';
import type { RedisConnections } from './redis-connections.js';
import { RedisFanoutClient, type FanoutEvent } from './redis-fanout.client.js';
import { FANOUT_PATTERN, positionOf, RedisFanoutServer, type FanoutPacket } from './redis-fanout.server.js';
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
 */
export class RedisTransport implements RealtimeTransport, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('RealtimeModule');
  private readonly client: RedisFanoutClient;
  private readonly server: RedisFanoutServer;
  private receiver?: TransportReceiver;

  constructor(
    private readonly connections: RedisConnections,
    private readonly options: ResolvedRedisOptions,
    origin: string,
  ) {
    this.client = new RedisFanoutClient(connections, {
      origin,
      backlogSize: options.backlogSize,
      backlogTtl: options.backlogTtl,
    });
    this.server = new RedisFanoutServer(connections, origin);
  }

  bind(receiver: TransportReceiver): void {
    this.receiver = receiver;
    this.server.addHandler(FANOUT_PATTERN.channel, async (packet: FanoutPacket) => this.onChannel(packet), true);
    this.server.addHandler(FANOUT_PATTERN.direct, async (packet: FanoutPacket) => this.onDirect(packet), true);
    this.server.addHandler(FANOUT_PATTERN.control, async (packet: FanoutPacket) => this.onControl(packet), true);
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

  beforeApplicationShutdown(): void {
    this.server.close();
  }

  publish(channel: string, frame: Buffer): Promise<void> {
    return this.emit({ topic: this.channelTopic(channel), kind: 'p', body: frame });
  }

  async publishDirect(digest: string, message: DirectMessage): Promise<void> {
    let body: Buffer | string;
    if (message.kind === 'frame') body = message.frame;
    else if (message.kind === 'unsubscribe') body = JSON.stringify(message.channels);
    else {
      // The instance that holds the socket may subscribe to these channels
      // only after later pushes went out; their positions now tell it where
      // to catch up from.
      const positions = await this.positions(message.channels);
      body = JSON.stringify({ channels: message.channels, positions } satisfies SubscribeBody);
    }
    return this.emit({ topic: this.digestTopic(digest), kind: KIND_OF[message.kind], body });
  }

  publishControl(message: ControlMessage): Promise<void> {
    return this.emit({ topic: this.controlTopic(), kind: 'x', body: JSON.stringify(message) });
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

  health(): TransportHealth {
    const up = this.connections.ready && this.server.synced;
    return {
      up,
      transport: this.connections.sharded ? 'redis-cluster' : 'redis',
      commands: this.connections.commands.status,
      subscriber: this.connections.subscriber.status,
      synced: this.server.synced,
    };
  }

  private async emit(event: FanoutEvent): Promise<void> {
    try {
      await lastValueFrom(this.client.emit(event.topic.channel, event));
    } catch (error) {
      throw new RealtimeTransportError(
        `Could not publish to Redis (${(error as Error).message}); subscribers on other instances did not get it`,
        { cause: error },
      );
    }
  }

  private onChannel({ topic, envelope }: FanoutPacket): void {
    this.receiver?.receiveChannelFrame(topic.name, envelope.body);
  }

  private onDirect({ topic, envelope }: FanoutPacket): void {
    if (!this.receiver) return;
    if (envelope.kind === 'f') {
      this.receiver.receiveDirect(topic.name, { kind: 'frame', frame: envelope.body });
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
    try {
      const found = await Promise.all(channels.map(channel => positionOf(this.connections, this.channelTopic(channel))));
      return found.map(position => [position.epoch ?? null, position.offset]);
    } catch (error) {
      throw new RealtimeTransportError(`Could not read channel positions from Redis: ${(error as Error).message}`, {
        cause: error,
      });
    }
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
