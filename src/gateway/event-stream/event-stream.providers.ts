import type { Provider } from '@nestjs/common';
import { ChannelRecovery } from '../../channels/channel-recovery.js';
import { ChannelRouter } from '../../channels/channel-router.interface.js';
import { ConnectionDirectory } from '../../channels/connection.directory.js';
import { InstanceDrain } from '../../channels/instance-drain.state.js';
import { RealtimeTransport } from '../../channels/realtime-transport.interface.js';
import { RevocationList } from '../../channels/revocation-list.interface.js';
import { SubscriptionRegistry } from '../../channels/subscription-registry.interface.js';
import { RealtimeHandlerRegistry } from '../../handlers/realtime-handler.registry.js';
import type { ResolvedRealtimeOptions } from '../../interfaces/realtime-module-options.interface.js';
import { REALTIME_OPTIONS } from '../../realtime.constants.js';
import { gatewayPath } from '../gateway-path.check.js';
import { SubscriptionActions } from '../subscription.actions.js';
import { UpgradeAdmission } from '../upgrade.admission.js';
import { EventStreamEndpoint, type EventStreamParts } from './event-stream.endpoint.js';

/**
 * DI token of the event stream's middleware, `(request, response, next)`, or
 * `undefined` when the `eventStream` option is off: what
 * `RealtimeModule.configure()` mounts.
 *
 * NOTE: a function, not the endpoint: the module's constructor signature is
 * in its public declarations, which must not reach the gateway's (and `ws`'s)
 * types.
 */
export const EVENT_STREAM_MIDDLEWARE = Symbol('EventStreamMiddleware');

/**
 * The admission the gateway and the event stream share, the event stream on
 * the gateway's `path`, and its middleware.
 */
export function createEventStreamProviders(path: string): Provider[] {
  return [
    {
      provide: UpgradeAdmission,
      useFactory: (options: ResolvedRealtimeOptions, drain: InstanceDrain) => new UpgradeAdmission(options, () => drain.draining),
      inject: [REALTIME_OPTIONS, InstanceDrain],
    },
    {
      provide: EventStreamEndpoint,
      useFactory: (...parts: unknown[]) => {
        const [options, router, registry, transport, handlers, directory, revocations, admission, actions, recovery] = parts;
        return new EventStreamEndpoint({
          path: gatewayPath(path),
          options,
          router,
          registry,
          transport,
          handlers,
          directory,
          revocations,
          admission,
          actions,
          recovery,
        } as EventStreamParts);
      },
      inject: [
        REALTIME_OPTIONS,
        ChannelRouter,
        SubscriptionRegistry,
        RealtimeTransport,
        RealtimeHandlerRegistry,
        ConnectionDirectory,
        RevocationList,
        UpgradeAdmission,
        SubscriptionActions,
        ChannelRecovery,
      ],
    },
    {
      provide: EVENT_STREAM_MIDDLEWARE,
      useFactory: (endpoint: EventStreamEndpoint) => (endpoint.enabled ? endpoint.handle : undefined),
      inject: [EventStreamEndpoint],
    },
  ];
}
