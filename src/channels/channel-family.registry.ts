import { Injectable } from '@nestjs/common';
import { DUPLICATE_FAMILY } from '../realtime.messages.js';
import type { ChannelAuthorizer } from './channel-authorizer.interface.js';
import type { HistorySettings } from './realtime-transport.interface.js';
import type { RealtimeConnection } from './realtime-connection.interface.js';

interface Family {
  name: string;
  source: string;
  authorizer?: ChannelAuthorizer;
  history?: HistorySettings;
}

/** A channel split into its family and routing key. */
export interface FamilyKey {
  family: string;
  key: string;
}

/** The declared channel families and their authorizers. */
@Injectable()
export class ChannelFamilyRegistry {
  private readonly families = new Map<string, Family>();

  register(name: string, source: string, authorizer?: ChannelAuthorizer, history?: HistorySettings): void {
    const existing = this.families.get(name);
    if (existing) throw new Error(DUPLICATE_FAMILY(name, existing.source, source));
    this.families.set(name, { name, source, authorizer, history });
  }

  /** The history a declared family keeps for each of its channels, if any. */
  historyOf(family: string): HistorySettings | undefined {
    return this.families.get(family)?.history;
  }

  has(name: string): boolean {
    return this.families.has(name);
  }

  /** The family and key of a channel, when its prefix is a declared family. */
  parse(channel: string): FamilyKey | undefined {
    const colon = channel.indexOf(':');
    if (colon <= 0) return undefined;
    const family = channel.slice(0, colon);
    return this.families.has(family) ? { family, key: channel.slice(colon + 1) } : undefined;
  }

  async authorize(family: string, key: string, connection: RealtimeConnection): Promise<boolean> {
    const authorizer = this.families.get(family)?.authorizer;
    if (!authorizer) return true;
    return (await authorizer.authorize(key, connection)) === true;
  }
}
