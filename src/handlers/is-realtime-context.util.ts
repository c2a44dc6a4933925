import type { ExecutionContext } from '@nestjs/common';
import { isRealtimeConnection } from '../channels/realtime-connection.interface.js';
import { REALTIME_CONTEXT_TYPE } from '../realtime.constants.js';

/**
 * Whether a guard or interceptor is running around a realtime handler (rather
 * than an HTTP route or a plain gateway), so global enhancers can tell. For
 * instance, a global HTTP guard can skip realtime calls.
 *
 * @example if (isRealtimeContext(context)) return true;
 * @publicApi
 */
export function isRealtimeContext(context: ExecutionContext): boolean {
  return (
    context.getType() === REALTIME_CONTEXT_TYPE && isRealtimeConnection(context.switchToWs().getClient())
  );
}
