/**
 * Parameter kinds written by `@ConnectedSocket()` and `@MessageBody()`: the
 * values of Nest's `WsParamtype`, which `@nestjs/websockets` does not export.
 */
const WsParamtype = { SOCKET: 0, PAYLOAD: 3 } as const;

/**
 * Maps handler parameters to the arguments a handler is called with:
 * `(connection, payload, action)`, the order `switchToWs()` expects, so that
 * `@ConnectedSocket()` and `@MessageBody('field')` work as in a gateway.
 */
export class RealtimeParamsFactory {
  exchangeKeyForValue(type: number, data: unknown, args: unknown[]): unknown {
    if (!args) return null;
    switch (type) {
      case WsParamtype.SOCKET:
        return args[0];
      case WsParamtype.PAYLOAD: {
        const payload = args[1] as Record<string, unknown> | undefined;
        return typeof data === 'string' && data ? payload?.[data] : payload;
      }
      default:
        return null;
    }
  }
}
