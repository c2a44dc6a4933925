import type { UnsubscribedPayload } from './frames.js';

/**
 * The payload of an `Unsubscribed` event for one channel: with `exchange_name`
 * and `routing_key` when the channel is one key of a family (`familyKey`),
 * with only `channel` and `auto` when it is a plain channel.
 *
 * @param auto true when the server dropped it by itself, false in a reply to `Unsubscribe`
 */
export function unsubscribedPayload(
  channel: string,
  auto: boolean,
  familyKey?: { family: string; key: string | number },
): UnsubscribedPayload {
  return familyKey
    ? { exchange_name: familyKey.family, routing_key: familyKey.key, channel, auto }
    : { channel, auto };
}
