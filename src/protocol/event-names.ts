/**
 * Names of the events the server sends on its own (as opposed to events that
 * application code names when it pushes).
 *
 * @publicApi
 */
export const EventName = {
  Welcome: 'Welcome',
  Error: 'Error',
  Subscribed: 'Subscribed',
  Unsubscribed: 'Unsubscribed',
  YourSubscriptions: 'YourSubscriptions',
  Pong: 'Pong',
  /** The event name of a channel push made without one. */
  Push: 'Push',
} as const;

/**
 * Names of the actions every server understands without application code.
 *
 * @publicApi
 */
export const BuiltInAction = {
  Subscribe: 'Subscribe',
  Unsubscribe: 'Unsubscribe',
  ListSubscriptions: 'ListSubscriptions',
  Ping: 'Ping',
  /** Pakyow's application-level ping, answered Ring-style. */
  RingPing: 'ping',
  /** Pakyow's route call over the socket, Ring-style: `{id, action, uri, method, input}`. */
  CallRoute: 'call-route',
} as const;

/** Every built-in name; an application handler may not take one. */
export const RESERVED_ACTIONS: ReadonlySet<string> = new Set(Object.values(BuiltInAction));
