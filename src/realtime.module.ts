import { Inject, Module, Optional, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { DiscoveryModule, HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AccessRevoker } from './channels/access.revoker.js';
import { ChannelFamilyRegistry } from './channels/channel-family.registry.js';
import { ChannelRouter } from './channels/channel-router.interface.js';
import { ChannelService } from './channels/channel.service.js';
import { LocalDelivery } from './channels/local-delivery.js';
import { ChannelHistoryPolicy } from './channels/channel-history.policy.js';
import { ChannelRecovery } from './channels/channel-recovery.js';
import { ConnectionDirectory } from './channels/connection.directory.js';
import { InstanceDrain } from './channels/instance-drain.state.js';
import { LocalChannelRouter } from './channels/local-channel.router.js';
import { RealtimeTransport } from './channels/realtime-transport.interface.js';
import { RevocationList } from './channels/revocation-list.interface.js';
import { RealtimeMetadataAccessor } from './handlers/realtime-metadata.accessor.js';
import { ChannelFamilyExplorer } from './handlers/channel-family.explorer.js';
import { RealtimeIdentityMiddleware } from './identity/realtime-identity.middleware.js';
import { createClientScriptMiddleware } from './gateway/client-script.middleware.js';
import { EVENT_STREAM_MIDDLEWARE } from './gateway/event-stream/event-stream.providers.js';
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
    ChannelHistoryPolicy,
    ChannelRecovery,
    ConnectionDirectory,
    InstanceDrain,
    AccessRevoker,
    LocalDelivery,
    ChannelService,
    RealtimeMetadataAccessor,
    ChannelFamilyExplorer,
    // The gateway and its collaborators come with the `gateway` extra (createGatewayProviders).
  ],
  // InstanceDrain: for RealtimeHealthIndicator, which the app provides.
  exports: [ChannelService, RealtimeTransport, InstanceDrain],
})
export class RealtimeModule extends ConfigurableModuleClass implements NestModule {
  constructor(
    @Inject(REALTIME_OPTIONS) private readonly options: ResolvedRealtimeOptions,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(RevocationList) private readonly revocations: RevocationList,
    /** The event stream, provided with the gateway (not with `gateway: false`) when `eventStream` is on. */
    @Optional()
    @Inject(EVENT_STREAM_MIDDLEWARE)
    private readonly eventStream?: (request: IncomingMessage, response: ServerResponse, next: () => void) => void,
  ) {
    super();
  }

  /**
   * Puts the identity middleware (and the client script, with `serveClient`,
   * and the event stream, with the gateway) in front of every HTTP request.
   *
   * NOTE: they go straight onto the HTTP adapter, not through the consumer:
   * consumer routes take the app's global prefix, which would move
   * `/realtime/client.js` to `/api/realtime/client.js` and leave pages outside
   * the prefix without an identity. The socket's own path ignores the prefix
   * too (as every Nest gateway's does), so all of the module's paths are
   * absolute. `configure()` runs after the adapter's body parsers and before
   * any consumer middleware, so the app's own middleware sees the identity.
   */
  configure(_consumer: MiddlewareConsumer): void {
    const adapter = this.adapterHost.httpAdapter;
    // A Nest app without an HTTP server (createApplicationContext) has no requests.
    if (!adapter) return;
    const { clientPath } = this.options;
    if (clientPath) adapter.use(createClientScriptMiddleware(clientPath));
    if (this.eventStream) adapter.use(this.eventStream);
    const identity = new RealtimeIdentityMiddleware(this.options, keyId => this.revocations.has(keyId));
    adapter.use((request: IncomingMessage, response: ServerResponse, next: () => void) => identity.use(request, response, next));
  }
}
