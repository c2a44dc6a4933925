import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, ExternalContextCreator, MetadataScanner } from '@nestjs/core';
import { REALTIME_CONTEXT_TYPE } from '../realtime.constants.js';
import { NON_STATIC_HOST } from '../realtime.messages.js';
import { HandlerFiltersFactory } from './handler-filters.factory.js';
import { providerHosts, type Host } from './provider-hosts.util.js';
import { RealtimeHandlerRegistry, type CompiledHandler } from './realtime-handler.registry.js';
import { RealtimeMetadataAccessor } from './realtime-metadata.accessor.js';
import { RealtimeParamsFactory } from './realtime-params.factory.js';

/**
 * Finds `@RealtimeHandler()` and `@OnRealtimeConnect()`/`@OnRealtimeDisconnect()`
 * methods at startup, and compiles every handler once with
 * `ExternalContextCreator`, so guards, pipes, interceptors and filters run on
 * each call without any per-call setup. Only the gateway calls them, so it is
 * provided with the gateway (`ChannelFamilyExplorer` finds the families).
 */
@Injectable()
export class RealtimeExplorer implements OnModuleInit {
  private readonly logger = new Logger('RealtimeModule');
  private readonly paramsFactory = new RealtimeParamsFactory();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly accessor: RealtimeMetadataAccessor,
    private readonly contextCreator: ExternalContextCreator,
    private readonly handlers: RealtimeHandlerRegistry,
    private readonly filters: HandlerFiltersFactory,
  ) {}

  onModuleInit(): void {
    const warnIfMarked = (host: Host) => {
      if (this.hasRealtimeMetadata(host.instance)) this.logger.warn(NON_STATIC_HOST(host.name));
    };
    for (const host of providerHosts(this.discovery, warnIfMarked)) {
      const prototype = Object.getPrototypeOf(host.instance) as Record<string, unknown>;
      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        this.exploreMethod(host, prototype, methodName);
      }
    }
  }

  private exploreMethod(host: Host, prototype: Record<string, unknown>, methodName: string): void {
    const method = prototype[methodName];
    const actions = this.accessor.handlers(method);
    const lifecycle = this.accessor.lifecycle(method);
    if (actions.length === 0 && !lifecycle) return;
    const source = `${host.name}.${methodName}`;
    const invoke = this.compile(host.instance, method as (...args: unknown[]) => unknown, methodName, source);
    for (const metadata of actions) {
      this.handlers.register({
        action: metadata.action,
        reply: metadata.reply ?? metadata.action,
        authRequired: metadata.authRequired ?? false,
        source,
        invoke,
      });
      this.logger.log(`Mapped {${metadata.action}} -> ${source}`);
    }
    if (lifecycle) this.handlers.addHook(lifecycle, invoke);
  }

  private compile(instance: object, method: (...args: unknown[]) => unknown, methodName: string, source: string): CompiledHandler {
    // NOTE: the unbound prototype method goes in, because method-level
    // @UseGuards/@UseInterceptors metadata lives on that function object; the
    // creator applies it to the instance itself. Filters are left to
    // HandlerFiltersFactory, which leaves out the global (HTTP) ones.
    const target = this.contextCreator.create(
      instance,
      method,
      methodName,
      ROUTE_ARGS_METADATA,
      this.paramsFactory,
      undefined,
      undefined,
      { guards: true, interceptors: true, filters: false },
      REALTIME_CONTEXT_TYPE,
    );
    return this.filters.wrap(instance, method, target, source) as CompiledHandler;
  }

  private hasRealtimeMetadata(instance: object): boolean {
    const prototype = Object.getPrototypeOf(instance) as Record<string, unknown>;
    return this.scanner
      .getAllMethodNames(prototype)
      .some(name => this.accessor.handlers(prototype[name]).length > 0 || this.accessor.lifecycle(prototype[name]));
  }
}
