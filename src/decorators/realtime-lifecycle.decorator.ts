import { SetMetadata } from '@nestjs/common';
import { REALTIME_LIFECYCLE_METADATA } from '../realtime.constants.js';

/** Which connection event a lifecycle hook runs on. */
export type RealtimeLifecycleEvent = 'connect' | 'disconnect';

/**
 * Runs the method when a socket connects, before `Welcome` is sent and before
 * any of its messages is handled (pakyow's `join`). Guards apply, so this is
 * the place for connect-time authentication: a guard or hook may set
 * `connection.user`. A refusal (a guard returning false, or any exception)
 * sends an `Error` with the code, then closes the socket with 4003.
 *
 * @example
 * ```ts
 * @OnRealtimeConnect()
 * @UseGuards(TokenGuard)
 * connected(@ConnectedSocket() connection: RealtimeConnection) {}
 * ```
 * @publicApi
 */
export const OnRealtimeConnect = (): MethodDecorator =>
  SetMetadata<string, RealtimeLifecycleEvent>(REALTIME_LIFECYCLE_METADATA, 'connect');

/**
 * Runs the method after a socket has closed (pakyow's `leave`). Errors are
 * logged.
 * @publicApi
 */
export const OnRealtimeDisconnect = (): MethodDecorator =>
  SetMetadata<string, RealtimeLifecycleEvent>(REALTIME_LIFECYCLE_METADATA, 'disconnect');
