import { ConfigurableModuleBuilder } from '@nestjs/common';
import { createGatewayProviders } from './gateway/realtime-gateway.providers.js';
import type {
  RealtimeModuleExtras,
  RealtimeModuleOptions,
} from './interfaces/realtime-module-options.interface.js';

/** Extras (`path`, `isGlobal`, `gateway`) and their defaults. */
export const REALTIME_EXTRAS: Required<RealtimeModuleExtras> = { path: '/', isGlobal: true, gateway: true };

export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: REALTIME_MODULE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<RealtimeModuleOptions>()
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createRealtimeOptions')
  .setExtras<RealtimeModuleExtras>(REALTIME_EXTRAS, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal ?? REALTIME_EXTRAS.isGlobal,
    // The gateway class is made per import: its path is decorator metadata.
    providers: [
      ...(definition.providers ?? []),
      ...((extras.gateway ?? REALTIME_EXTRAS.gateway) ? createGatewayProviders(extras.path ?? REALTIME_EXTRAS.path) : []),
    ],
  }))
  .build();

/**
 * What `RealtimeModule.forRoot()` takes: the module options and the extras.
 * @publicApi
 */
export type RealtimeModuleRootOptions = typeof OPTIONS_TYPE;

/**
 * What `RealtimeModule.forRootAsync()` takes: `useFactory` + `inject`,
 * `useClass` or `useExisting` (a `RealtimeOptionsFactory`), `imports`, and the
 * extras (`path`, `isGlobal`, `gateway`) beside them.
 * @publicApi
 */
export type RealtimeModuleAsyncOptions = typeof ASYNC_OPTIONS_TYPE;
