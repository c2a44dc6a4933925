/**
 * What the router needs of a local connection: who it is (digest) and a way
 * to write an encoded frame to it. The gateway's connections implement it.
 */
export interface ChannelSubscriber {
  readonly digest: string;
  /** Writes an already encoded frame; must not throw. */
  write(frame: Buffer | string): void;
}
