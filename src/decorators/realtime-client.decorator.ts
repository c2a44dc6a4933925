import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { isRealtimeConnection } from '../channels/realtime-connection.interface.js';
import { getRequestIdentity } from '../identity/request-identity.js';
import { MISSING_IDENTITY } from '../realtime.messages.js';

/**
 * Injects the realtime client of the current call, to hand to
 * `ChannelService`: in an HTTP route, the request's identity (its socket key
 * and connection id, made if new); in a realtime handler, the calling
 * connection.
 *
 * @example
 * ```ts
 * @Get(':id') show(@Param('id') id: string, @RealtimeClient() client: RealtimeClientRef) {
 *   return this.channels.subscribe(client, `widgets:${id}`);
 * }
 * ```
 * @publicApi
 */
export const RealtimeClient = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  if (context.getType() === 'ws') {
    const client: unknown = context.switchToWs().getClient();
    if (isRealtimeConnection(client)) return client;
  }
  const request = context.switchToHttp().getRequest<{ raw?: unknown } | undefined>();
  // NOTE: the middleware sees Node's request; Fastify hands routes its own
  // request object, which holds Node's as `raw`.
  const identity = getRequestIdentity(request) ?? getRequestIdentity(request?.raw);
  if (!identity) throw new Error(MISSING_IDENTITY());
  return identity;
});
