import { SetMetadata } from '@nestjs/common';
import { CHANNEL_FAMILY_METADATA } from '../realtime.constants.js';

/** What `@ChannelFamily()` records. */
export interface ChannelFamilyMetadata {
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
 * @ChannelFamily('widgets')
 * @Injectable()
 * export class WidgetsFamily implements ChannelAuthorizer<User> {
 *   authorize(key: string, connection: RealtimeConnection<User>) {
 *     return connection.user?.widgetIds.includes(key) ?? false;
 *   }
 * }
 * ```
 * @publicApi
 */
export const ChannelFamily = (name: string): ClassDecorator =>
  SetMetadata<string, ChannelFamilyMetadata>(CHANNEL_FAMILY_METADATA, { name });

