import type { ChannelPosition } from '../../protocol/channel-position.js';
import type {
  ChannelHistory,
  ControlMessage,
  DirectMessage,
  PublishOptions,
  PublishOutcome,
  RealtimeTransport,
  TransportHealth,
  TransportReceiver,
} from '../../channels/realtime-transport.interface.js';
import { isGivenPushId } from '../../channels/push-id.util.js';
import type { HubMember, MemoryHub } from './memory-hub.js';

/**
 * The transport between instances on one `MemoryHub`. With the hub to itself
 * (the embedded default) it sequences this instance's pushes, keeps their
 * history, and hands them back to it.
 */
export class MemoryTransport implements RealtimeTransport {
  private readonly member: HubMember;

  constructor(
    private readonly hub: MemoryHub,
    instanceId: string,
  ) {
    this.member = { instanceId, channels: new Set(), digests: new Set() };
  }

  /** This instance, as the hub knows it (for `MemoryHub.join`). */
  get hubMember(): HubMember {
    return this.member;
  }

  bind(receiver: TransportReceiver): void {
    this.member.receiver = receiver;
  }

  admit(_count: number): void {}

  async publish(channel: string, frame: Buffer, options: PublishOptions = {}): Promise<PublishOutcome> {
    return this.hub.channel(channel, frame, callerId(options.id), options.history) ? 'published' : 'duplicate';
  }

  async history(channel: string, since: ChannelPosition | undefined, limit: number): Promise<ChannelHistory> {
    return this.hub.history(channel, since, limit);
  }

  async publishDirect(digest: string, message: DirectMessage, options: PublishOptions = {}): Promise<PublishOutcome> {
    this.hub.direct(this.member, digest, message, callerId(options.id));
    return 'published';
  }

  async publishControl(message: ControlMessage): Promise<void> {
    this.hub.control(this.member, message);
  }

  watchChannel(channel: string): void {
    this.member.channels.add(channel);
  }

  unwatchChannel(channel: string): void {
    this.member.channels.delete(channel);
  }

  watchDigest(digest: string): void {
    this.member.digests.add(digest);
  }

  unwatchDigest(digest: string): void {
    this.member.digests.delete(digest);
  }

  async settled(): Promise<void> {}

  health(): TransportHealth {
    return { up: true, transport: 'memory', instances: this.hub.size };
  }
}

/** Only a caller's push ids travel: receivers drop repeats of those. */
function callerId(id: string | undefined): string | undefined {
  return isGivenPushId(id) ? id : undefined;
}
