import { Injectable } from '@nestjs/common';

/**
 * Whether this instance is draining: shutting down, refusing new sockets and
 * closing its open ones spread over `shutdownDrain` ms. The gateway starts it;
 * the health indicator reports it, so that a readiness probe takes the
 * instance out of rotation. A publish-only process (`gateway: false`) never
 * drains.
 */
@Injectable()
export class InstanceDrain {
  private startedAt: number | undefined;
  private windowMs = 0;

  /** True from the start of the drain until the process ends. */
  get draining(): boolean {
    return this.startedAt !== undefined;
  }

  /** Starts the drain (once; a second call changes nothing). */
  begin(windowMs: number): void {
    if (this.startedAt !== undefined) return;
    this.startedAt = Date.now();
    this.windowMs = windowMs;
  }

  /** What health checks report while draining: since when, and for how long. */
  details(): { draining: true; since: string; windowMs: number } | undefined {
    if (this.startedAt === undefined) return undefined;
    return { draining: true, since: new Date(this.startedAt).toISOString(), windowMs: this.windowMs };
  }
}
