import { MAX_CHANNEL_LENGTH } from './limits.js';

const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/** Whether the value is a channel name: 1 to 200 characters, none of them control characters. */
export function isChannelName(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= MAX_CHANNEL_LENGTH &&
    !CONTROL_CHARACTER.test(value)
  );
}

/**
 * The channel of one key of a family: `<family>:<key>`. A push on it carries
 * `mq: {e: family, rk: key}`, so a client finds the channel from either.
 */
export function familyChannel(family: string, routingKey: string | number): string {
  return `${family}:${routingKey}`;
}
