import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, ExternalContextCreator, MetadataScanner } from '@nestjs/core';
import type { ChannelAuthorizer } from '../channels/channel-authorizer.interface.js';
import { ChannelFamilyRegistry } from '../channels/channel-family.registry.js';
import { REALTIME_CONTEXT_TYPE } from '../realtime.constants.js';
import { NON_STATIC_HOST } from '../realtime.messages.js';
import { HandlerFiltersFactory } from './handler-filters.factory.js';
import { RealtimeHandlerRegistry, type CompiledHandler } from './realtime-handler.registry.js';
import { RealtimeMetadataAccessor } from './realtime-metadata.accessor.js';
import { RealtimeParamsFactory } from './realtime-params.factory.js';

interface Host {
  instance: object;
  name: string;
}

/**
 * Finds `@RealtimeHandler()`, `@OnRealtimeConnect()`/`@OnRealtimeDisconnect()`
 * methods and `@ChannelFamily()` providers at startup, and compiles every
 * handler once with `ExternalContextCreator`, so guards, pipes, interceptors
 * and filters run on each call without any per-call setup.
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
    private readonly families: ChannelFamilyRegistry,
    private readonly filters: HandlerFiltersFactory,
  ) {}

  onModuleInit(): void {
    for (const host of this.hosts()) {
      const family = this.accessor.family(host.instance.constructor);
      if (family) {
        const authorizer = host.instance as Partial<ChannelAuthorizer>;
        this.families.register(
          family.name,
          host.name,
          typeof authorizer.authorize === 'function' ? (authorizer as ChannelAuthorizer) : undefined,
        );
      }
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

  private *hosts(): Generator<Host> {
    const wrappers = [...this.discovery.getProviders(), ...this.discovery.getControllers()];
    for (const wrapper of wrappers) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object' || wrapper.isAlias) continue;
      if (!Object.getPrototypeOf(instance)) continue;
      // NOTE: useValue providers have no metatype and useFactory ones have the
      // factory as metatype, so the class is taken from the instance itself.
      const name = (instance as object).constructor?.name ?? String(wrapper.name);
      if (!wrapper.isDependencyTreeStatic()) {
        if (this.hasRealtimeMetadata(instance as object)) this.logger.warn(NON_STATIC_HOST(name));
        continue;
      }
      yield { instance: instance as object, name };
    }
  }

  private hasRealtimeMetadata(instance: object): boolean {
    const prototype = Object.getPrototypeOf(instance) as Record<string, unknown>;
    return this.scanner
      .getAllMethodNames(prototype)
      .some(name => this.accessor.handlers(prototype[name]).length > 0 || this.accessor.lifecycle(prototype[name]));
  }
}
