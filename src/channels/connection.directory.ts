import { Injectable } from '@nestjs/common';
import type { ChannelSubscriber } from './channel-subscriber.interface.js';
import type { AccessMatch } from './realtime-transport.interface.js';

/**
 * What the channel layer needs of a local socket to end its access: who it is
 * and a way to stop it. The gateway's connections implement it.
 */
export interface LocalConnection extends ChannelSubscriber {
  readonly connectionId: string;
  /** The id of its socket key (`socketKeyId()`). */
  readonly keyId: string;
  /** What the app signed it in as (`connection.user`). */
  readonly user: unknown;
  /** Stops handling what the client sends, and stops it from being set up (before `Welcome`). */
  stopReading(): void;
  /** Writes one last frame (even before `Welcome`) and closes with the code. */
  fail(lastFrame: string, code: number, reason: string): void;
}

/**
 * This instance's open sockets, from the upgrade to the close (set-up
 * included), so that access can be ended by digest, connection id, socket key
 * or user. Looked up by a walk over every socket: ending access is rare.
 */
@Injectable()
export class ConnectionDirectory {
  private readonly connections = new Set<LocalConnection>();

  add(connection: LocalConnection): void {
    this.connections.add(connection);
  }

  delete(connection: LocalConnection): void {
    this.connections.delete(connection);
  }

  /** How many sockets are open here. */
  get size(): number {
    return this.connections.size;
  }

  /** The sockets a match names; `userIdOf` tells a connection's user id. */
  find(match: AccessMatch, userIdOf: (user: unknown) => string | undefined): LocalConnection[] {
    const found: LocalConnection[] = [];
    for (const connection of this.connections) {
      if (matches(connection, match, userIdOf)) found.push(connection);
    }
    return found;
  }
}

/** Whether a connection is one a match names; a match of no known shape names none. */
function matches(connection: LocalConnection, match: AccessMatch, userIdOf: (user: unknown) => string | undefined): boolean {
  if ('digest' in match) return typeof match.digest === 'string' && connection.digest === match.digest;
  if ('connectionId' in match) return typeof match.connectionId === 'string' && connection.connectionId === match.connectionId;
  if ('keyId' in match) return typeof match.keyId === 'string' && connection.keyId === match.keyId;
  if ('user' in match && typeof match.user === 'string' && match.user.length > 0) {
    return connection.user !== undefined && userIdOf(connection.user) === match.user;
  }
  return false;
}
