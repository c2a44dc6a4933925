/**
 * A channel name that is empty, too long or holds control characters.
 * @publicApi
 */
export class InvalidChannelError extends Error {
  override readonly name = 'InvalidChannelError';
}

/**
 * A subscription that would take a client past `maxSubscriptions`.
 * @publicApi
 */
export class TooManySubscriptionsError extends Error {
  override readonly name = 'TooManySubscriptionsError';
}

/**
 * Ending access (`ChannelService.revoke()` / `disconnect()`) could not reach
 * the shared registry or the other instances: Redis is unavailable. This
 * instance's part is done (its sockets closed, its copy of the revocation
 * list updated); `cause` is the first failure. The caller decides whether to
 * retry (both calls may be repeated).
 * @publicApi
 */
export class RealtimeAccessError extends Error {
  override readonly name = 'RealtimeAccessError';
}
