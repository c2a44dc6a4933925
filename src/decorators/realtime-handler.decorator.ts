import { REALTIME_HANDLER_METADATA } from '../realtime.constants.js';

/**
 * Options of `@RealtimeHandler()`.
 * @publicApi
 */
export interface RealtimeHandlerOptions {
  /**
   * Event name of the reply. A handler may also return `{ event, data }` to
   * pick it per call.
   * @default the action's name
   */
  reply?: string;
  /**
   * Refuse callers whose connection has no `user` with `Error AuthRequired`
   * (Myxi's `auth_required!`).
   * @default false
   */
  authRequired?: boolean;
}

/** What `@RealtimeHandler()` records, one entry per action. */
export interface RealtimeHandlerMetadata extends RealtimeHandlerOptions {
  action: string;
}

/**
 * Makes a provider or controller method the handler of a client action
 * (`{"action": "<action>", "tag": ..., "payload": ...}`). Nest guards, pipes,
 * interceptors and exception filters apply to it, as do `@MessageBody()` and
 * `@ConnectedSocket()`. Its return value (a value, a promise or an observable)
 * is the reply, sent with the caller's tag; an exception becomes an `Error`
 * event with a code and a message.
 *
 * @example
 * ```ts
 * @RealtimeHandler('SayHello')
 * @UseGuards(SignedInGuard)
 * hello(@MessageBody() dto: HelloDto) { return { time: Date.now() }; }
 * ```
 * @publicApi
 */
export function RealtimeHandler(action: string, options: RealtimeHandlerOptions = {}): MethodDecorator {
  return (_target, _key, descriptor) => {
    const method = descriptor.value as object;
    const previous: RealtimeHandlerMetadata[] = Reflect.getMetadata(REALTIME_HANDLER_METADATA, method) ?? [];
    Reflect.defineMetadata(REALTIME_HANDLER_METADATA, [...previous, { ...options, action }], method);
    return descriptor;
  };
}

