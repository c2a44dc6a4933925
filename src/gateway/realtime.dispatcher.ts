import { Injectable, Logger } from '@nestjs/common';
import type { RawData } from 'ws';
import { toErrorPayload } from '../handlers/error-payload.mapper.js';
import { RealtimeHandlerRegistry, type RegisteredHandler } from '../handlers/realtime-handler.registry.js';
import { RealtimeException } from '../handlers/realtime.exception.js';
import { CloseCode } from '../protocol/close-codes.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { BuiltInAction, EventName } from '../protocol/event-names.js';
import { decodeClientFrame, encodeEvent, encodeRingReply, type DecodedFrame } from '../protocol/frame.codec.js';
import { CallRouteHandler } from './call-route.handler.js';
import { SubscriptionActions } from './subscription.actions.js';
import type { WsRealtimeConnection } from './ws-realtime.connection.js';

type Tag = { value: unknown } | undefined;
type ActionFrame = Extract<DecodedFrame, { kind: 'action' }>;
type RingFrame = Extract<DecodedFrame, { kind: 'ring' }>;

/** Stands for a binary frame in the connection's queue. */
const BINARY = Symbol('binary frame');

/** A handler's result as a reply: `{event, data}` (Nest's WsResponse) picks the event. */
function asReply(result: unknown, fallback: string): { event: string; data: unknown } {
  if (typeof result === 'object' && result !== null && !Array.isArray(result)) {
    const keys = Object.keys(result);
    const candidate = result as { event?: unknown; data?: unknown };
    if (keys.length === 2 && typeof candidate.event === 'string' && 'data' in candidate) {
      return { event: candidate.event, data: candidate.data };
    }
  }
  return { event: fallback, data: result === undefined ? null : result };
}

/**
 * Turns each incoming frame into a built-in action, an application handler
 * call or an error, and answers with the caller's tag (Myxi style) or id
 * (Ring style). Nothing a client sends can throw out of here.
 */
@Injectable()
export class RealtimeDispatcher {
  private readonly logger = new Logger('RealtimeModule');

  constructor(
    private readonly handlers: RealtimeHandlerRegistry,
    private readonly actions: SubscriptionActions,
    private readonly callRoute: CallRouteHandler,
  ) {}

  handle(connection: WsRealtimeConnection, data: RawData, isBinary: boolean): void {
    if (!connection.isOpen || connection.refusing) return;
    if (!connection.takeToken()) {
      // What was accepted before is still answered, in order; then the error
      // and the close. Nothing sent after this frame is read.
      connection.refusing = true;
      const frame = encodeEvent(EventName.Error, { error: ErrorCode.RateLimited, message: 'Message rate exceeded' });
      connection.enqueue(async () => connection.fail(frame, CloseCode.PolicyViolation, 'Rate limit exceeded'));
      return;
    }
    const frame = isBinary ? BINARY : decodeClientFrame(data.toString());
    connection.enqueue(() => this.answer(connection, frame));
  }

  private async answer(connection: WsRealtimeConnection, frame: DecodedFrame | typeof BINARY): Promise<void> {
    if (!connection.isReady) await connection.ready;
    if (!connection.isOpen) return;
    try {
      if (frame === BINARY) {
        connection.emit(EventName.Error, {
          error: ErrorCode.BinaryNotSupported,
          message: 'Binary frames are not supported: send JSON text frames',
        });
      } else if (frame.kind === 'invalid') {
        connection.emit(EventName.Error, { error: frame.code, message: 'Frames must be JSON objects' });
      } else if (frame.kind === 'ring') {
        await this.handleRing(connection, frame);
      } else {
        await this.handleAction(connection, frame);
      }
    } catch (error) {
      this.logger.error('Realtime frame could not be answered', (error as Error)?.stack);
    }
  }

  private async handleAction(connection: WsRealtimeConnection, frame: ActionFrame): Promise<void> {
    const tag: Tag = frame.hasTag ? { value: frame.tag } : undefined;
    switch (frame.action) {
      case BuiltInAction.Subscribe:
        return this.actions.subscribe(connection, frame.payload, tag);
      case BuiltInAction.Unsubscribe:
        return this.actions.unsubscribe(connection, frame.payload, tag);
      case BuiltInAction.ListSubscriptions:
        return this.actions.list(connection, tag);
      case BuiltInAction.Ping:
      case BuiltInAction.RingPing:
        return connection.reply(EventName.Pong, { time: Math.floor(Date.now() / 1000) }, tag);
      case BuiltInAction.CallRoute:
        return connection.reply(
          EventName.Error,
          { error: ErrorCode.InvalidAction, message: 'call-route is answered for {id, action, uri, method, input} requests' },
          tag,
        );
    }
    const handler = this.handlers.get(frame.action);
    if (!handler) {
      return connection.reply(
        EventName.Error,
        { error: ErrorCode.InvalidAction, message: `No action named ${JSON.stringify(frame.action)}` },
        tag,
      );
    }
    let reply: { event: string; data: unknown };
    try {
      reply = await this.invoke(connection, handler, frame.payload);
    } catch (error) {
      // HandlerFiltersFactory has already logged what was unexpected.
      return connection.reply(EventName.Error, toErrorPayload(error).payload, tag);
    }
    try {
      connection.reply(reply.event, reply.data, tag);
    } catch (error) {
      this.logger.error(`Reply to realtime action "${frame.action}" could not be encoded`, (error as Error)?.stack);
      connection.reply(EventName.Error, toErrorPayload(error).payload, tag);
    }
  }

  private async handleRing(connection: WsRealtimeConnection, frame: RingFrame): Promise<void> {
    const { id, action, message } = frame;
    if (action === BuiltInAction.RingPing) {
      return connection.write(encodeRingReply(id, 200, 'pong'));
    }
    if (action === BuiltInAction.CallRoute) {
      const { status, headers, body } = await this.callRoute.call(connection, message);
      return connection.write(encodeRingReply(id, status, body, headers));
    }
    const handler = this.handlers.get(action);
    if (!handler) {
      const text = action ? `No action named ${JSON.stringify(action)} for {id, action} requests` : 'Missing action';
      return connection.write(encodeRingReply(id, 404, { error: ErrorCode.InvalidAction, message: text }));
    }
    const payload = message.payload ?? message.input ?? {};
    let data: unknown;
    try {
      ({ data } = await this.invoke(connection, handler, payload));
    } catch (error) {
      const mapped = toErrorPayload(error);
      return connection.write(encodeRingReply(id, mapped.status, mapped.payload));
    }
    try {
      connection.write(encodeRingReply(id, 200, data));
    } catch (error) {
      this.logger.error(`Reply to realtime action "${action}" could not be encoded`, (error as Error)?.stack);
      const mapped = toErrorPayload(error);
      connection.write(encodeRingReply(id, mapped.status, mapped.payload));
    }
  }

  private async invoke(
    connection: WsRealtimeConnection,
    handler: RegisteredHandler,
    payload: unknown,
  ): Promise<{ event: string; data: unknown }> {
    if (handler.authRequired && connection.user === undefined) {
      throw new RealtimeException(ErrorCode.AuthRequired, 'Sign in first');
    }
    const result = await handler.invoke(connection, payload, handler.action);
    return asReply(result, handler.reply);
  }
}
