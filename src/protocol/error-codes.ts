/**
 * Codes carried in `payload.error` of an `Error` event (or in `body.error` of a
 * Ring-style reply). Names follow Myxi's, so that Myxi's bundled client works
 * unmodified; the ones Myxi never had are ours.
 *
 * Codes derived from an HTTP exception thrown inside a handler (for instance
 * `NotFound` from `NotFoundException`) are not listed: they are the PascalCase
 * name of the HTTP status.
 *
 * @publicApi
 */
export const ErrorCode = {
  /** The frame is not JSON, or its JSON is not an object. */
  InvalidJSON: 'InvalidJSON',
  /** The frame nests arrays and objects deeper than `maxDepth`; it was not parsed. */
  NestingTooDeep: 'NestingTooDeep',
  /**
   * The frame holds more arrays, objects and object keys than `maxElements`;
   * it was not parsed.
   */
  TooManyElements: 'TooManyElements',
  /** No action of that name exists (a missing action counts as `""`). */
  InvalidAction: 'InvalidAction',
  /**
   * A built-in action's payload has the wrong shape, or the frame's `tag` (or
   * Ring `id`) is not a short string or a number.
   */
  InvalidPayload: 'InvalidPayload',
  /** `Subscribe` or `Unsubscribe` carried more `routing_keys` than `maxKeysPerFrame`. */
  TooManyKeys: 'TooManyKeys',
  /** A `ValidationPipe` rejected the payload; `errors` lists what is wrong. */
  ValidationFailed: 'ValidationFailed',
  /** A binary frame arrived; only JSON text frames are understood. */
  BinaryNotSupported: 'BinaryNotSupported',
  /** The connection sent more messages than its rate allows; close 1008 follows. */
  RateLimited: 'RateLimited',
  /** `Subscribe` named a channel family that was never declared. */
  InvalidExchange: 'InvalidExchange',
  /** The family's authorizer refused the routing key. */
  SubscriptionDenied: 'SubscriptionDenied',
  /** The connection is already subscribed to that family and key. */
  AlreadySubscribed: 'AlreadySubscribed',
  /** The connection holds as many subscriptions as it may. */
  TooManySubscriptions: 'TooManySubscriptions',
  /** The handler needs a signed-in connection and this one is not. */
  AuthRequired: 'AuthRequired',
  /** A guard refused the call. */
  Forbidden: 'Forbidden',
  /** A channel name handed to `ChannelService` inside a handler was invalid. */
  InvalidChannel: 'InvalidChannel',
  /** Server code ended this connection's access (sign-out); close 4004 follows. */
  AccessRevoked: 'AccessRevoked',
  /**
   * The server's transport (Redis) is unavailable for a moment: nothing was
   * changed. Retry later (after a reconnect, when it comes before `Welcome`).
   */
  Unavailable: 'Unavailable',
  /** Anything unexpected; details are logged on the server, never sent. */
  InternalError: 'InternalError',
} as const;

/** @publicApi */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
