/** What a Redis topic carries: a channel's pushes, one digest's direct messages, or control messages for every instance (`b`). */
export type TopicKind = 'c' | 'd' | 'b';

/** A Redis pub/sub topic and the keys of its backlog. */
export interface Topic {
  kind: TopicKind;
  /** The channel name or the digest. */
  name: string;
  /** The pub/sub channel. */
  channel: string;
  /** Next offset (INCR). */
  seqKey: string;
  /** Random id of the current offset sequence; it changes when Redis lost the backlog. */
  epochKey: string;
  /** Stream of recent messages, with ids `0-<offset>`. */
  logKey: string;
}

/**
 * Names one topic. The hash tag (`{...}`) puts the channel and its three keys
 * in one cluster slot, so one script can touch them all on one shard.
 */
export function topicOf(prefix: string, kind: TopicKind, name: string): Topic {
  const channel = `${prefix}{${kind}:${name}}`;
  return { kind, name, channel, seqKey: `${channel}:seq`, epochKey: `${channel}:epoch`, logKey: `${channel}:log` };
}
