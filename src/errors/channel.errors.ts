import { ErrorCode } from '../protocol/error-codes.js';
import { TRANSPORT_UNAVAILABLE_REPLY } from '../realtime.messages.js';
import { WIRE_CODE, type WireCoded } from './wire-code.js';

/**
 * A channel name that is empty, too long or holds control characters.
 * @publicApi
 */
export class InvalidChannelError extends Error implements WireCoded {
  override readonly name = 'InvalidChannelError';
  get [WIRE_CODE]() {
    return { code: ErrorCode.InvalidChannel, message: this.message };
  }
}

/**
 * A subscription that would take a client past `maxSubscriptions`.
 * @publicApi
 */
export class TooManySubscriptionsError extends Error implements WireCoded {
  override readonly name = 'TooManySubscriptionsError';
  get [WIRE_CODE]() {
    return { code: ErrorCode.TooManySubscriptions, message: this.message };
  }
}

/**
 * Ending access (`ChannelService.revoke()` / `disconnect()`) could not reach
 * the shared registry or the other instances: Redis is unavailable. This
 * instance's part is done (its sockets closed, its copy of the revocation
 * list updated); `cause` is the first failure. The caller decides whether to
 * retry (both calls may be repeated).
 * @publicApi
 */
export class RealtimeAccessError extends Error implements WireCoded {
  override readonly name = 'RealtimeAccessError';
  get [WIRE_CODE]() {
    return { code: ErrorCode.Unavailable, message: TRANSPORT_UNAVAILABLE_REPLY() };
  }
}
