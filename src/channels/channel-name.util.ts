import { INVALID_CHANNEL } from '../realtime.messages.js';
import { InvalidChannelError } from '../errors/channel.errors.js';

const PRINTABLE = /^[^\u0000-\u001f\u007f]{1,200}$/;

/** Whether the value is a channel name: 1 to 200 characters, none of them control characters. */
export function isChannelName(value: unknown): value is string {
  return typeof value === 'string' && PRINTABLE.test(value);
}

/** The channel of one key of a family: `<family>:<key>`. */
export function familyChannel(family: string, routingKey: string | number): string {
  return `${family}:${routingKey}`;
}

/** Checks channel names handed to `ChannelService`; throws a clear error. */
export function toChannelList(channels: string | readonly string[]): string[] {
  const list = typeof channels === 'string' ? [channels] : [...channels];
  for (const channel of list) {
    if (!isChannelName(channel)) {
      throw new InvalidChannelError(INVALID_CHANNEL(channel));
    }
  }
  return list;
}
