import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { InstanceDrain } from '../channels/instance-drain.state.js';
import { RealtimeTransport } from '../channels/realtime-transport.interface.js';

/**
 * A `@nestjs/terminus` health indicator for the realtime transport: `down`
 * while Redis is unreachable or the instance has not yet re-subscribed and
 * caught up after a reconnect, and while the instance is draining at
 * shutdown (`draining: true`, with `since` and `windowMs`), so that a
 * readiness probe takes it out of rotation; otherwise `up` (always, on the
 * embedded default). Use it for readiness, not liveness: neither a Redis
 * outage nor a drain is cured by restarting the process.
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
    private readonly drain: InstanceDrain,
  ) {}

  isHealthy<const Key extends string = 'realtime'>(key: Key = 'realtime' as Key): HealthIndicatorResult<Key> {
    const session = this.indicators.check(key);
    const { up, ...details } = this.transport.health();
    const draining = this.drain.details();
    if (draining) return session.down({ ...details, ...draining });
    return up ? session.up(details) : session.down(details);
  }
}
