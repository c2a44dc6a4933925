import { Inject, Injectable } from '@nestjs/common';
import type { ResolvedRealtimeOptions } from '../interfaces/realtime-module-options.interface.js';
import { REALTIME_OPTIONS } from '../realtime.constants.js';
import { ChannelFamilyRegistry } from './channel-family.registry.js';
import type { HistorySettings } from './realtime-transport.interface.js';

/**
 * Which history a channel keeps: its family's (`@ChannelFamily(name, {
 * history })`), else the first `history` rule that matches it, else none.
 */
@Injectable()
export class ChannelHistoryPolicy {
  constructor(
    private readonly families: ChannelFamilyRegistry,
    @Inject(REALTIME_OPTIONS) private readonly options: ResolvedRealtimeOptions,
  ) {}

  settingsFor(channel: string): HistorySettings | undefined {
    const family = this.families.parse(channel);
    if (family) return this.families.historyOf(family.family);
    for (const rule of this.options.history) if (rule.matches(channel)) return rule.history;
    return undefined;
  }
}
