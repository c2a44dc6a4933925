import type { RealtimeConnection } from './realtime-connection.interface.js';

/**
 * Decides whether a connection may subscribe to one key of a channel family
 * (Myxi's exchange block). Implemented by a `@ChannelFamily()` provider. It is
 * asked when the client subscribes and again every `reauthorizeInterval`.
 *
 * @publicApi
 */
export interface ChannelAuthorizer<User = unknown> {
  authorize(routingKey: string, connection: RealtimeConnection<User>): boolean | Promise<boolean>;
}
