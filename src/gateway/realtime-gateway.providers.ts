import type { Provider } from '@nestjs/common';
import { HandlerFiltersFactory } from '../handlers/handler-filters.factory.js';
import { RealtimeHandlerRegistry } from '../handlers/realtime-handler.registry.js';
import { RealtimeExplorer } from '../handlers/realtime.explorer.js';
import { CallRouteHandler } from './call-route.handler.js';
import { createEventStreamProviders } from './event-stream/event-stream.providers.js';
import { RealtimeDispatcher } from './realtime.dispatcher.js';
import { createRealtimeGateway } from './realtime.gateway.js';
import { SubscriptionActions } from './subscription.actions.js';

/**
 * The gateway for one module import (on `path`) and everything only it uses:
 * the dispatcher, the built-in actions, call-route (with its HTTP agents),
 * the compiled `@RealtimeHandler()` methods, and the event stream on the same
 * path.
 *
 * NOTE: provided only with `gateway: true`: a publish-only process (a queue
 * worker) needs `ChannelService` and the families, and none of these.
 */
export function createGatewayProviders(path: string): Provider[] {
  return [
    createRealtimeGateway(path),
    RealtimeDispatcher,
    SubscriptionActions,
    CallRouteHandler,
    RealtimeHandlerRegistry,
    HandlerFiltersFactory,
    RealtimeExplorer,
    ...createEventStreamProviders(path),
  ];
}
