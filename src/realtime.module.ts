import { Inject, Module, RequestMethod, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ChannelFamilyRegistry } from './channels/channel-family.registry.js';
import { ChannelRouter } from './channels/channel-router.interface.js';
import { ChannelService } from './channels/channel.service.js';
import { LocalChannelRouter } from './channels/local-channel.router.js';
import { RealtimeTransport } from './channels/realtime-transport.interface.js';
import { CallRouteHandler } from './gateway/call-route.handler.js';
import { RealtimeDispatcher } from './gateway/realtime.dispatcher.js';
import { SubscriptionActions } from './gateway/subscription.actions.js';
import { RealtimeHandlerRegistry } from './handlers/realtime-handler.registry.js';
import { RealtimeMetadataAccessor } from './handlers/realtime-metadata.accessor.js';
import { HandlerFiltersFactory } from './handlers/handler-filters.factory.js';
import { RealtimeExplorer } from './handlers/realtime.explorer.js';
import { RealtimeIdentityMiddleware } from './identity/realtime-identity.middleware.js';
import { createClientScriptMiddleware } from './gateway/client-script.middleware.js';
import type { RealtimeModuleOptions, ResolvedRealtimeOptions } from './interfaces/realtime-module-options.interface.js';
import { ConfigurableModuleClass, REALTIME_MODULE_OPTIONS } from './realtime-module-definition.js';
import { resolveRealtimeOptions } from './realtime-options.resolver.js';
import { REALTIME_OPTIONS } from './realtime.constants.js';
import { createTransportProviders } from './transport/realtime-transport.providers.js';

/**
 * Realtime channels for a Nest app: a WebSocket gateway on the app's HTTP
 * server, `ChannelService`, `@RealtimeHandler()` actions and channel families.
 *
 * @example
 * ```ts
 * @Module({ imports: [RealtimeModule.forRoot({ path: '/', allowedOrigins: ['https://app.example'] })] })
 * export class AppModule {}
 * ```
 * @publicApi
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      provide: REALTIME_OPTIONS,
      useFactory: (options: RealtimeModuleOptions) => resolveRealtimeOptions(options),
      inject: [REALTIME_MODULE_OPTIONS],
    },
    ...createTransportProviders(),
    { provide: ChannelRouter, useClass: LocalChannelRouter },
    ChannelFamilyRegistry,
    ChannelService,
    RealtimeHandlerRegistry,
    RealtimeMetadataAccessor,
    HandlerFiltersFactory,
    RealtimeExplorer,
    SubscriptionActions,
    CallRouteHandler,
    RealtimeDispatcher,
  ],
  exports: [ChannelService, REALTIME_OPTIONS, RealtimeTransport],
})
export class RealtimeModule extends ConfigurableModuleClass implements NestModule {
  constructor(@Inject(REALTIME_OPTIONS) private readonly options: ResolvedRealtimeOptions) {
    super();
  }

  configure(consumer: MiddlewareConsumer): void {
    if (this.options.clientPath) {
      consumer.apply(createClientScriptMiddleware()).forRoutes({ path: this.options.clientPath, method: RequestMethod.ALL });
    }
    consumer.apply(RealtimeIdentityMiddleware).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
