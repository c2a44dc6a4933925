import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { randomBytes } from 'node:crypto';
import type { EnvelopeKind } from './realtime-envelope.js';
import type { RedisConnections } from './redis-connections.js';
import type { Topic } from './redis-topics.js';

/** What to publish: a body on a topic, with its push id. */
export interface FanoutEvent {
  topic: Topic;
  kind: EnvelopeKind;
  body: Buffer | string;
  /** `k:<digest>` (a caller's id: repeats are dropped) or `g:<random>`. */
  id: string;
  /** A retry whose earlier attempt may have run: look for its id in the backlog first. */
  retry?: boolean;
}

/** Backlog and idempotency settings of published topics. */
export interface FanoutSettings {
  origin: string;
  backlogSize: number;
  backlogTtl: number;
  /** How long a caller's push id is remembered in Redis, in ms. */
  idWindow: number;
}

/**
 * The publishing half of the fan-out transport: a Nest `ClientProxy` whose
 * events go out through one Lua script per message (offset, backlog entry and
 * PUBLISH, or SPUBLISH on a cluster, in one round trip). Fire-and-forget
 * events only; there is no request/response.
 */
export class RedisFanoutClient extends ClientProxy {
  private readonly command: 'PUBLISH' | 'SPUBLISH';

  constructor(
    private readonly connections: RedisConnections,
    private readonly settings: FanoutSettings,
  ) {
    super();
    this.command = connections.sharded ? 'SPUBLISH' : 'PUBLISH';
  }

  async connect(): Promise<void> {}

  close(): void {}

  unwrap<T>(): T {
    return this.connections.commands as T;
  }

  /**
   * Publishes one message; resolves with its offset (0 when it was a repeat of
   * an id already published), rejects if Redis is unavailable. Unbounded in
   * time: the caller bounds the wait, and may still hear the outcome later.
   */
  protected async dispatchEvent<T = number>(packet: ReadPacket<FanoutEvent>): Promise<T> {
    const { topic, kind, body, id, retry } = packet.data;
    const given = id.startsWith('k:');
    const offset = await this.connections.commands.realtimeFanout(
      topic.seqKey,
      topic.epochKey,
      topic.logKey,
      topic.channel,
      `${topic.channel}:id:${id}`,
      this.settings.origin,
      kind,
      body,
      randomBytes(6).toString('hex'),
      this.settings.backlogSize,
      this.settings.backlogTtl,
      this.command,
      id,
      given ? this.settings.idWindow : 0,
      retry && !given ? this.settings.backlogSize : 0,
    );
    return offset as T;
  }

  protected publish(_packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    callback({ err: new Error('The realtime fan-out transport carries events only'), isDisposed: true });
    return () => undefined;
  }
}
