import type { DiscoveryService } from '@nestjs/core';

/** A provider or controller instance that realtime decorators may mark. */
export interface Host {
  instance: object;
  name: string;
}

/**
 * The app's provider and controller instances, for the explorers to read
 * realtime metadata from. A request- or transient-scoped one is left out (it
 * has no single instance): `onDynamic` hears of it.
 */
export function* providerHosts(discovery: DiscoveryService, onDynamic?: (host: Host) => void): Generator<Host> {
  const wrappers = [...discovery.getProviders(), ...discovery.getControllers()];
  for (const wrapper of wrappers) {
    const instance: unknown = wrapper.instance;
    if (!instance || typeof instance !== 'object' || wrapper.isAlias) continue;
    if (!Object.getPrototypeOf(instance)) continue;
    // NOTE: useValue providers have no metatype and useFactory ones have the
    // factory as metatype, so the class is taken from the instance itself.
    const name = (instance as object).constructor?.name ?? String(wrapper.name);
    if (!wrapper.isDependencyTreeStatic()) {
      onDynamic?.({ instance: instance as object, name });
      continue;
    }
    yield { instance: instance as object, name };
  }
}
