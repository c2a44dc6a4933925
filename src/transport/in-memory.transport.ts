import { Injectable } from '@nestjs/common';
import type {
  ControlMessage,
  DirectMessage,
  PublishOutcome,
  RealtimeTransport,
  TransportHealth,
  TransportReceiver,
} from '../channels/realtime-transport.interface.js';

/**
 * The embedded default: one process, so there is no other instance to carry
 * anything to. The local router has already served every local subscriber.
 */
@Injectable()
export class InMemoryTransport implements RealtimeTransport {
  bind(_receiver: TransportReceiver): void {}
  admit(_count: number): void {}
  async publish(_channel: string, _frame: Buffer): Promise<PublishOutcome> {
    return 'published';
  }
  async publishDirect(_digest: string, _message: DirectMessage): Promise<PublishOutcome> {
    return 'published';
  }
  async publishControl(_message: ControlMessage): Promise<void> {}
  watchChannel(_channel: string): void {}
  unwatchChannel(_channel: string): void {}
  watchDigest(_digest: string): void {}
  unwatchDigest(_digest: string): void {}
  async settled(): Promise<void> {}
  health(): TransportHealth {
    return { up: true, transport: 'in-memory' };
  }
}
