/**
 * Counts the open connections of each client address, so that one address
 * cannot take all of a server's sockets (`maxConnectionsPerAddress`).
 *
 * NOTE: a connection is counted from the moment its upgrade is admitted until
 * its TCP socket closes, whatever happens in between (a refused connect hook,
 * a failed handshake): counting from `handleConnection` would let a burst of
 * upgrades through before the first was counted. Entries go when their count
 * is back to zero, so the map holds only addresses with open sockets.
 */
export class AddressAdmission {
  private readonly open = new Map<string, number>();

  constructor(private readonly maxPerAddress: number) {}

  /**
   * Admits one more connection from `address` and returns the function that
   * releases it, or `undefined` when the address already holds its share.
   * `0` means no cap; an unknown address is admitted uncounted.
   */
  admit(address: string | undefined): (() => void) | undefined {
    if (this.maxPerAddress === 0 || address === undefined) return () => undefined;
    const count = this.open.get(address) ?? 0;
    if (count >= this.maxPerAddress) return undefined;
    this.open.set(address, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(address) ?? 1) - 1;
      if (left > 0) this.open.set(address, left);
      else this.open.delete(address);
    };
  }

  /** Open connections counted for `address`. */
  countOf(address: string): number {
    return this.open.get(address) ?? 0;
  }
}
