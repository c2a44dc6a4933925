import type { Type } from '@nestjs/common';
import type { DiscoveryService } from '@nestjs/core';
import { GATEWAY_METADATA, GATEWAY_OPTIONS, PORT_METADATA } from '@nestjs/websockets/constants.js';

/** The path a ws gateway listens on, as @nestjs/platform-ws compares it. */
export function gatewayPath(path: unknown): string {
  const trimmed = typeof path === 'string' ? path.replace(/\/+$/, '') : '';
  return trimmed.startsWith('/') ? trimmed || '/' : `/${trimmed}`;
}

/**
 * Another gateway on the app's own HTTP server with the same path as
 * `own`, or `undefined`.
 *
 * NOTE: @nestjs/platform-ws hands each upgrade to the first server whose path
 * matches and never to the second, so two gateways on one path fail quietly:
 * the other's `handleConnection` never runs, or ours never does. A plain
 * `@WebSocketGateway()` listens on `/`, the module's default.
 */
export function findGatewayOnSamePath(discovery: DiscoveryService, own: Type): Type | undefined {
  const path = gatewayPath((Reflect.getMetadata(GATEWAY_OPTIONS, own) as { path?: unknown } | undefined)?.path);
  for (const wrapper of discovery.getProviders()) {
    const metatype = wrapper.metatype as Type | undefined;
    if (!metatype || wrapper.isAlias || metatype === own || !Reflect.getMetadata(GATEWAY_METADATA, metatype)) continue;
    // Gateways on a port of their own have their own HTTP server.
    if ((Reflect.getMetadata(PORT_METADATA, metatype) ?? 0) !== 0) continue;
    const options = Reflect.getMetadata(GATEWAY_OPTIONS, metatype) as { path?: unknown; server?: unknown } | undefined;
    if (options?.server) continue;
    if (gatewayPath(options?.path) === path) return metatype;
  }
  return undefined;
}
