import { randomBytes } from 'node:crypto';
import type { HistorySettings } from '../../channels/realtime-transport.interface.js';
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
  /** A channel push's history, when it keeps more than the backlog. */
  history?: HistorySettings;
}

/** Backlog and idempotency settings of published topics. */
export interface FanoutSettings {
  origin: string;
  backlogSize: number;
  backlogTtl: number;
  /** How long a topic's position outlives its last message, in ms. */
  positionTtl: number;
  /** How long a caller's push id is remembered in Redis, in ms. */
  idWindow: number;
}

/**
 * The publishing half of the fan-out transport: each message goes out through
 * one Lua script (offset, backlog entry and PUBLISH, or SPUBLISH on a cluster,
 * in one round trip). Fire-and-forget; there is no request/response.
 */
export class RedisFanoutClient {
  private readonly command: 'PUBLISH' | 'SPUBLISH';

  constructor(
    private readonly connections: RedisConnections,
    private readonly settings: FanoutSettings,
  ) {
    this.command = connections.sharded ? 'SPUBLISH' : 'PUBLISH';
  }

  /**
   * Publishes one message; resolves with its offset (0 when it was a repeat of
   * an id already published), rejects if Redis is unavailable. Unbounded in
   * time: the caller bounds the wait, and may still hear the outcome later.
   */
  async publish(event: FanoutEvent): Promise<number> {
    const { topic, kind, body, id, retry, history } = event;
    const given = id.startsWith('k:');
    const size = Math.max(this.settings.backlogSize, history?.size ?? 0);
    const ttl = Math.max(this.settings.backlogTtl, history?.ttl ?? 0);
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
      size,
      ttl,
      this.command,
      id,
      given ? this.settings.idWindow : 0,
      retry && !given ? size : 0,
      Math.max(ttl, this.settings.positionTtl),
    );
    return offset;
  }
}
