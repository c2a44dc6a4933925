import { SetMetadata } from '@nestjs/common';
import type { ChannelHistoryOptions } from '../interfaces/channel-history-options.interface.js';
import { CHANNEL_FAMILY_METADATA } from '../realtime.constants.js';

/**
 * Options of a channel family.
 * @publicApi
 */
export interface ChannelFamilyOptions {
  /**
   * Keep each channel's recent pushes, so that clients that reconnect (and
   * pages that connect after their route subscribed them) get what they
   * missed. Without it, a client still learns whether it missed anything.
   */
  history?: ChannelHistoryOptions;
}

/** What `@ChannelFamily()` records. */
export interface ChannelFamilyMetadata extends ChannelFamilyOptions {
  name: string;
}

/**
 * Declares a channel family (Myxi's exchange, Phoenix's topic) such as
 * `widgets`, whose channels are `widgets:<routing key>`. Put it on a provider
 * that implements `ChannelAuthorizer`; a family without `authorize` is open to
 * every connection.
 *
 * @example
 * ```ts
 * @ChannelFamily('widgets', { history: { size: 100, ttl: 300_000 } })
 * @Injectable()
 * export class WidgetsFamily implements ChannelAuthorizer<User> {
 *   authorize(key: string, connection: RealtimeConnection<User>) {
 *     return connection.user?.widgetIds.includes(key) ?? false;
 *   }
 * }
 * ```
 * @publicApi
 */
export const ChannelFamily = (name: string, options: ChannelFamilyOptions = {}): ClassDecorator =>
  SetMetadata<string, ChannelFamilyMetadata>(CHANNEL_FAMILY_METADATA, { ...options, name });

