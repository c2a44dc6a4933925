import assert from 'node:assert/strict';

/** An epoch as the server makes them: 12 hex characters. */
export const EPOCH = /^[0-9a-f]{12}$/;

/**
 * A push frame without its epoch, once the epoch is checked to be one the
 * server made: what is left (offset included) can be compared exactly.
 */
export function positioned<T extends { epoch?: unknown }>(frame: T | undefined): Omit<T, 'epoch'> {
  assert.ok(frame, 'a frame arrived');
  assert.match(String(frame.epoch), EPOCH, 'the push carries its channel epoch');
  const { epoch: _epoch, ...rest } = frame;
  return rest;
}
