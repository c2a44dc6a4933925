import { BaseRpcContext } from '@nestjs/microservices';

/** The context of one message from the Redis fan-out transport: its topic. */
export class RedisFanoutContext extends BaseRpcContext<[topic: string, offset: number]> {
  getTopic(): string {
    return this.args[0];
  }

  getOffset(): number {
    return this.args[1];
  }
}
