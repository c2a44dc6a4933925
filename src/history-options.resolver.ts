import type { ChannelHistoryOptions, ChannelHistoryRule } from './interfaces/channel-history-options.interface.js';
import type { HistorySettings } from './channels/realtime-transport.interface.js';
import { INVALID_OPTION } from './realtime.messages.js';

/** Defaults of a history whose size or ttl is left out. */
export const HISTORY_DEFAULTS = { size: 100, ttl: 300_000 } as const;

const MAX_TTL = 24 * 60 * 60 * 1000;
/** Largest `size` a channel's history may have. */
export const MAX_HISTORY_SIZE = 10_000;

/** A resolved rule for plain channels. */
export interface ResolvedHistoryRule {
  matches: (channel: string) => boolean;
  history: HistorySettings;
}

function bounded(name: string, value: unknown, fallback: number, min: number, max: number): number {
  const resolved = value == null ? fallback : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof resolved !== 'number' || !Number.isInteger(resolved) || resolved < min || resolved > max) {
    throw new Error(INVALID_OPTION(name, `a whole number from ${min} to ${max}`, value));
  }
  return resolved;
}

/** Checks one history setting (`name` is how the user wrote it, for the error). */
export function resolveHistorySettings(name: string, options: unknown): HistorySettings {
  if (typeof options !== 'object' || options === null) {
    throw new Error(INVALID_OPTION(name, 'an object such as { size, ttl }', options));
  }
  const { size, ttl } = options as ChannelHistoryOptions;
  return {
    size: bounded(`${name}.size`, size, HISTORY_DEFAULTS.size, 1, MAX_HISTORY_SIZE),
    ttl: bounded(`${name}.ttl`, ttl, HISTORY_DEFAULTS.ttl, 1000, MAX_TTL),
  };
}

function matcher(name: string, match: unknown): (channel: string) => boolean {
  if (match instanceof RegExp) return channel => match.test(channel);
  if (typeof match !== 'string' || match.length === 0) {
    throw new Error(INVALID_OPTION(name, "a channel name, a prefix ending in '*', or a RegExp", match));
  }
  if (!match.endsWith('*')) return channel => channel === match;
  const prefix = match.slice(0, -1);
  return channel => channel.startsWith(prefix);
}

/**
 * The `history` module option: `false` or absent (none), one setting for
 * every plain channel, or rules tried in order.
 */
export function resolveHistoryRules(options: unknown): ResolvedHistoryRule[] {
  if (options == null || options === false) return [];
  if (Array.isArray(options)) {
    return options.map((rule: ChannelHistoryRule, index) => ({
      matches: matcher(`history[${index}].match`, (rule as Partial<ChannelHistoryRule> | null)?.match),
      history: resolveHistorySettings(`history[${index}]`, rule),
    }));
  }
  return [{ matches: () => true, history: resolveHistorySettings('history', options) }];
}
