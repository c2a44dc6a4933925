import { MemoryRevocationList } from '../../channels/memory-revocation.list.js';
import { MemorySubscriptionRegistry } from '../../channels/memory-subscription.registry.js';
import type { TransportSettings } from '../../channels/realtime-backend.interface.js';
import type {
  ChannelHistory,
  ControlMessage,
  DirectMessage,
  HistorySettings,
  TransportReceiver,
} from '../../channels/realtime-transport.interface.js';
import type { ChannelPosition } from '../../protocol/channel-position.js';
import { RealtimeTransportError } from '../../errors/realtime-transport.error.js';
import { OUTBOX_CLOSED } from '../../realtime.messages.js';
import { MemoryChannelLog } from './memory-channel.log.js';

/** One instance on a hub: where its messages go, and what it listens to. */
export interface HubMember {
  readonly instanceId: string;
  receiver?: TransportReceiver;
  readonly channels: Set<string>;
  readonly digests: Set<string>;
}

/**
 * Instances of an app that run in one process, sharing their state and
 * carrying messages to each other: the embedded default (each app has a hub
 * of its own, with one instance on it), and a fleet in one process for tests
 * (`memoryTransport({ hub })` given to several apps).
 *
 * NOTE: messages are handed on in a microtask, as a network would hand them
 * on later: a publisher never runs another instance's delivery inside its
 * own call, and messages keep their order.
 *
 * @publicApi
 */
export class MemoryHub {
  private readonly members = new Set<HubMember>();
  private state?: { registry: MemorySubscriptionRegistry; revocations: MemoryRevocationList; log: MemoryChannelLog };

  /** Puts an instance on the hub; the first one sets the shared state's ttls. */
  join(
    member: HubMember,
    settings: Pick<TransportSettings, 'subscriptionTtl' | 'idempotencyWindow' | 'idempotencyMaxKeys'>,
  ): { registry: MemorySubscriptionRegistry; revocations: MemoryRevocationList } {
    this.members.add(member);
    this.state ??= {
      registry: new MemorySubscriptionRegistry(settings.subscriptionTtl),
      revocations: new MemoryRevocationList(settings.subscriptionTtl),
      log: new MemoryChannelLog(settings.subscriptionTtl, settings.idempotencyWindow, settings.idempotencyMaxKeys),
    };
    return this.state;
  }

  /** Takes an instance off; the shared state goes with the last one. */
  leave(member: HubMember): void {
    this.members.delete(member);
    if (this.members.size > 0 || !this.state) return;
    this.state.registry.dispose();
    this.state.revocations.dispose();
    this.state.log.dispose();
    this.state = undefined;
  }

  /** How many instances are on the hub. */
  get size(): number {
    return this.members.size;
  }

  /**
   * Sequences a push and hands it to every instance that watches the channel,
   * the sender included; returns its position, or `undefined` for a repeat of
   * a caller's id.
   */
  channel(
    channel: string,
    frame: Buffer,
    id: string | undefined,
    history: HistorySettings | undefined,
  ): ChannelPosition | undefined {
    const position = this.log().append(channel, frame, id, history);
    if (!position) return undefined;
    this.toOthers(undefined, member => member.channels.has(channel), receiver =>
      receiver.receiveChannelFrame(channel, frame, position, id),
    );
    return position;
  }

  /** A channel's position and history after `since` (see `RealtimeTransport.history`). */
  history(channel: string, since: ChannelPosition | undefined, limit: number): ChannelHistory {
    return this.log().read(channel, since, limit);
  }

  direct(from: HubMember, digest: string, message: DirectMessage, id: string | undefined): void {
    this.toOthers(from, member => member.digests.has(digest), receiver => receiver.receiveDirect(digest, message, id));
  }

  control(from: HubMember, message: ControlMessage): void {
    this.toOthers(from, () => true, receiver => receiver.receiveControl(message));
  }

  /** The channels' sequences; after the last instance left (a push racing shutdown), none. */
  private log(): MemoryChannelLog {
    if (!this.state) throw new RealtimeTransportError(OUTBOX_CLOSED(), { code: 'Unavailable' });
    return this.state.log;
  }

  private toOthers(from: HubMember | undefined, wants: (member: HubMember) => boolean, hand: (receiver: TransportReceiver) => void): void {
    for (const member of this.members) {
      if (member === from || !wants(member)) continue;
      queueMicrotask(() => {
        // Left, or stopped listening, since: as a network would drop it.
        if (member.receiver && this.members.has(member)) hand(member.receiver);
      });
    }
  }
}
