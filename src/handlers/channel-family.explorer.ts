import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { ChannelAuthorizer } from '../channels/channel-authorizer.interface.js';
import { ChannelFamilyRegistry } from '../channels/channel-family.registry.js';
import { resolveHistorySettings } from '../history-options.resolver.js';
import { RealtimeMetadataAccessor } from './realtime-metadata.accessor.js';
import { providerHosts } from './provider-hosts.util.js';

/**
 * Finds `@ChannelFamily()` providers at startup and registers them with their
 * authorizers. Families shape pushes too (Myxi's `mq` marker), so this runs
 * with or without the gateway.
 */
@Injectable()
export class ChannelFamilyExplorer implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly accessor: RealtimeMetadataAccessor,
    private readonly families: ChannelFamilyRegistry,
  ) {}

  onModuleInit(): void {
    for (const host of providerHosts(this.discovery)) {
      const family = this.accessor.family(host.instance.constructor);
      if (!family) continue;
      const authorizer = host.instance as Partial<ChannelAuthorizer>;
      this.families.register(
        family.name,
        host.name,
        typeof authorizer.authorize === 'function' ? (authorizer as ChannelAuthorizer) : undefined,
        family.history === undefined ? undefined : resolveHistorySettings(`@ChannelFamily('${family.name}').history`, family.history),
      );
    }
  }
}
