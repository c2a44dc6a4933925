import { isChannelName } from '../protocol/channel-name.util.js';
import { INVALID_CHANNEL } from '../realtime.messages.js';
import { InvalidChannelError } from '../errors/channel.errors.js';

export { familyChannel, isChannelName } from '../protocol/channel-name.util.js';

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
