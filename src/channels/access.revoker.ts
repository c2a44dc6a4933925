import { Inject, Injectable, Logger } from '@nestjs/common';
import { rotateSocketKey, SOCKET_KEY_ID, socketKeyIdOf } from '../identity/client-socket-key.util.js';
import type { RealtimeClientRef } from '../identity/realtime-client-ref.interface.js';
import type { ResolvedRealtimeOptions } from '../interfaces/realtime-module-options.interface.js';
import { CloseCode } from '../protocol/close-codes.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { EventName } from '../protocol/event-names.js';
import { encodeEvent } from '../protocol/frame.codec.js';
import { REALTIME_OPTIONS } from '../realtime.constants.js';
import { ACCESS_NOT_ENDED_EVERYWHERE, ACCESS_REVOKED, CLIENT_WITHOUT_KEY, INVALID_DISCONNECT_TARGET, USER_ID_FAILED } from '../realtime.messages.js';
import { ChannelRouter } from './channel-router.interface.js';
import { RealtimeAccessError } from '../errors/channel.errors.js';
import { ConnectionDirectory, type LocalConnection } from './connection.directory.js';
import type { DisconnectReceipt, DisconnectTarget } from './disconnect-target.interface.js';
import { RealtimeTransport, type AccessMatch, type ControlMessage } from './realtime-transport.interface.js';
import { RevocationList } from './revocation-list.interface.js';
import { SubscriptionRegistry } from './subscription-registry.interface.js';

/** The reason text of close 4004. */
const CLOSE_REASON = 'Access revoked';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isClientRef(value: unknown): value is RealtimeClientRef {
  return isRecord(value) && typeof value.digest === 'string' && typeof value.connectionId === 'string';
}

/**
 * Whether a client knows its socket key. Asked without reading `digest`: a
 * request's identity would make a key (and set a cookie) to answer that.
 */
function holdsKey(value: unknown): value is RealtimeClientRef {
  return isRecord(value) && SOCKET_KEY_ID in value;
}

/**
 * Ends realtime access, on every instance: closes the matching sockets with
 * `4004` (after an `Error AccessRevoked` frame) and drops the subscriptions
 * held under their digests, so that reconnecting with the same identity gets
 * nothing back. `revoke()` also revokes the socket key itself and gives an
 * HTTP request's browser a new one. `ChannelService` exposes both.
 *
 * NOTE: local sockets stop receiving at once (they leave the router before
 * anything is awaited), and are closed only once their digests are dropped
 * from the registry: a client that sees the close and reconnects at once
 * finds nothing held for it.
 */
@Injectable()
export class AccessRevoker {
  private readonly logger = new Logger('RealtimeModule');

  constructor(
    @Inject(ChannelRouter) private readonly router: ChannelRouter,
    @Inject(SubscriptionRegistry) private readonly registry: SubscriptionRegistry,
    @Inject(RealtimeTransport) private readonly transport: RealtimeTransport,
    @Inject(RevocationList) private readonly revocations: RevocationList,
    private readonly directory: ConnectionDirectory,
    @Inject(REALTIME_OPTIONS) private readonly options: ResolvedRealtimeOptions,
  ) {}

  async disconnect(target: DisconnectTarget): Promise<DisconnectReceipt> {
    const match = this.matchOf(target);
    if (!match) return { localConnections: 0 };
    const failures: unknown[] = [];
    const localConnections = await this.endLocal(match, failures);
    if ('digest' in match) await this.attempt(() => this.registry.remove(match.digest), failures);
    if ('keyId' in match) await this.attempt(() => this.registry.removeOwner(match.keyId), failures);
    await this.attempt(() => this.transport.publishControl({ kind: 'end', match }), failures);
    this.throwIfFailed(failures);
    return { localConnections };
  }

  async revoke(client: RealtimeClientRef): Promise<DisconnectReceipt> {
    if (!holdsKey(client)) throw new TypeError(CLIENT_WITHOUT_KEY('revoke()'));
    const keyId = socketKeyIdOf(client);
    // A request that presented no key holds nothing to revoke.
    if (keyId === undefined) return { localConnections: 0 };
    // First, while the response's head is surely not sent: a new key for this browser.
    rotateSocketKey(client);
    const failures: unknown[] = [];
    const match: AccessMatch = { keyId };
    // Revoked before any socket is closed: a reconnect that races with this gets a fresh key.
    await this.attempt(() => this.revocations.add(keyId), failures);
    const localConnections = await this.endLocal(match, failures);
    await this.attempt(() => this.registry.removeOwner(keyId), failures);
    await this.attempt(
      () => this.transport.publishControl({ kind: 'end', match, revokeMs: this.options.subscriptionTtl }),
      failures,
    );
    this.throwIfFailed(failures);
    return { localConnections };
  }

  /** A control message from another instance. */
  receive(message: ControlMessage): void {
    if (message?.kind !== 'end' || !isRecord(message.match)) return;
    const { match, revokeMs } = message;
    if ('keyId' in match && typeof revokeMs === 'number') this.revocations.learn(match.keyId, revokeMs);
    const failures: unknown[] = [];
    void this.endLocal(match, failures).then(() => {
      for (const failure of failures) this.logger.warn(`Ending realtime access: ${(failure as Error)?.message ?? failure}`);
    });
  }

  /**
   * Stops the matching local sockets at once, drops their digests (and, for a
   * user, every digest of their keys), then closes them with 4004.
   */
  private async endLocal(match: AccessMatch, failures: unknown[]): Promise<number> {
    const found = this.directory.find(match, user => this.userIdOf(user));
    if (found.length === 0) return 0;
    for (const connection of found) {
      connection.stopReading();
      this.router.detach(connection);
    }
    const digests = new Set(found.map(connection => connection.digest));
    const owners = 'user' in match ? new Set(found.map(connection => connection.keyId)) : new Set<string>();
    await Promise.all([
      ...[...digests].map(digest => this.attempt(() => this.registry.remove(digest), failures)),
      ...[...owners].map(owner => this.attempt(() => this.registry.removeOwner(owner), failures)),
    ]);
    const frame = encodeEvent(EventName.Error, { error: ErrorCode.AccessRevoked, message: ACCESS_REVOKED() });
    for (const connection of found) this.close(connection, frame);
    return found.length;
  }

  private close(connection: LocalConnection, frame: string): void {
    try {
      connection.fail(frame, CloseCode.AccessRevoked, CLOSE_REASON);
    } catch (error) {
      this.logger.warn(`Closing a revoked realtime socket failed: ${(error as Error)?.message}`);
    }
  }

  private matchOf(target: DisconnectTarget): AccessMatch | undefined {
    const value = target as Record<string, unknown> | null | undefined;
    if (isRecord(value)) {
      if ('client' in value && isClientRef(value.client)) return { digest: value.client.digest };
      if ('connectionId' in value && typeof value.connectionId === 'string' && value.connectionId) {
        return { connectionId: value.connectionId };
      }
      if ('socketKeyOf' in value && isRecord(value.socketKeyOf)) {
        if (!holdsKey(value.socketKeyOf)) throw new TypeError(CLIENT_WITHOUT_KEY('disconnect({ socketKeyOf })'));
        // A request that presented no key holds nothing to end.
        const keyId = socketKeyIdOf(value.socketKeyOf);
        return keyId === undefined ? undefined : { keyId };
      }
      const user = value.user;
      if ((typeof user === 'string' && user) || (typeof user === 'number' && Number.isFinite(user))) {
        return { user: String(user) };
      }
    }
    throw new TypeError(INVALID_DISCONNECT_TARGET(target));
  }

  private userIdOf(user: unknown): string | undefined {
    try {
      return this.options.userId(user);
    } catch (error) {
      this.logger.warn(USER_ID_FAILED(error));
      return undefined;
    }
  }

  private throwIfFailed(failures: unknown[]): void {
    if (failures.length > 0) throw new RealtimeAccessError(ACCESS_NOT_ENDED_EVERYWHERE(failures[0]), { cause: failures[0] });
  }

  private async attempt(work: () => Promise<unknown>, failures: unknown[]): Promise<void> {
    try {
      await work();
    } catch (error) {
      failures.push(error);
    }
  }
}
