/**
 * How much of a channel's past is kept, so that a client that reconnects, or
 * a page that connects after its route subscribed it, gets what it missed
 * ([docs/reliability.md](../docs/reliability.md)).
 * @publicApi
 */
export interface ChannelHistoryOptions {
  /** Most pushes kept per channel (1 to 10,000). @default 100 */
  size?: number;
  /** How long a push is kept, in ms (1 s to 24 h). @default 300000 */
  ttl?: number;
}

/**
 * History for the plain channels a rule matches: `match` is a channel name,
 * a prefix ending in `*` (`'chat:*'`), or a regular expression.
 * @publicApi
 */
export interface ChannelHistoryRule extends ChannelHistoryOptions {
  match: string | RegExp;
}
