/** What a frame's size costs the rate: one unit per started KiB, at least one. */
export function unitsForBytes(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / 1024));
}

/**
 * What `ms` of measured work on a frame costs beyond the `prepaid` units it
 * was charged already (its size, its keys, a route call, its replies), at
 * `perMs` units a millisecond (`workUnitsPerMs`): a frame costs whichever is
 * more.
 *
 * NOTE: whichever is more, not both: a frame whose work is in proportion to
 * what it was charged (a few µs per KiB, per key) costs what it did, so a
 * client that counts units as protocol section 7 says stays within its rate;
 * only work that outgrows them is charged, and a connection's share of the
 * server's time is bounded all the same.
 */
export function unitsForWork(ms: number, prepaid: number, perMs: number): number {
  return Math.max(0, ms * perMs - prepaid);
}
