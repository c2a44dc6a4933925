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
