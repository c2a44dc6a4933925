import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { RealtimeTransport } from '../channels/realtime-transport.interface.js';

/**
 * A `@nestjs/terminus` health indicator for the realtime transport: `down`
 * while Redis is unreachable or the instance has not yet re-subscribed and
 * caught up after a reconnect; always `up` on the embedded default.
 *
 * @example
 * ```ts
 * @Get('health') @HealthCheck()
 * check() { return this.health.check([() => this.realtime.isHealthy('realtime')]); }
 * ```
 * @publicApi
 */
@Injectable()
export class RealtimeHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    @Inject(RealtimeTransport) private readonly transport: RealtimeTransport,
  ) {}

  isHealthy<const Key extends string = 'realtime'>(key: Key = 'realtime' as Key): HealthIndicatorResult<Key> {
    const session = this.indicators.check(key);
    const { up, ...details } = this.transport.health();
    return up ? session.up(details) : session.down(details);
  }
}
