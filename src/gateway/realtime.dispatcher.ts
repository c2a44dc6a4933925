import { Inject, Injectable, Logger } from '@nestjs/common';
import type { RawData } from 'ws';
import { toErrorPayload } from '../handlers/error-payload.mapper.js';
import { RealtimeHandlerRegistry, type RegisteredHandler } from '../handlers/realtime-handler.registry.js';
import { RealtimeException } from '../errors/realtime.exception.js';
import { CloseCode } from '../protocol/close-codes.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { BuiltInAction, EventName } from '../protocol/event-names.js';
import {
  decodeClientFrame,
  encodeEvent,
  encodeRingReply,
  MAX_TAG_LENGTH,
  type DecodedFrame,
  type InvalidFrame,
} from '../protocol/frame.codec.js';
import type { ResolvedRealtimeOptions } from '../interfaces/realtime-module-options.interface.js';
import { CALL_ROUTE_EXTRA_UNITS } from '../protocol/limits.js';
import { REALTIME_OPTIONS } from '../realtime.constants.js';
import {
  FRAME_TOO_DEEP,
  FRAME_TOO_WIDE,
  INVALID_ID,
  INVALID_TAG,
  NO_SUCH_ACTION,
  NO_SUCH_RING_ACTION,
} from '../realtime.messages.js';
import { encoderFor, ringReplies, tagged, tagOf, type ActionFrame, type AnswerEncoder, type RingFrame } from './answer.encoder.js';
import { CallRouteHandler } from './call-route.handler.js';
import { SubscriptionActions } from './subscription.actions.js';
import type { WsRealtimeConnection } from './ws-realtime.connection.js';
import { unitsForBytes } from './work-units.util.js';

/** Stands for a binary frame, decoded. */
const BINARY = Symbol('binary frame');

/** The last frame of a connection over its rate. */
const RATE_LIMITED = () => encodeEvent(EventName.Error, { error: ErrorCode.RateLimited, message: 'Message rate exceeded' });
const RATE_LIMIT_REASON = 'Rate limit exceeded';

function byteLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, chunk) => sum + chunk.length, 0);
  return data.byteLength;
}

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
    @Inject(REALTIME_OPTIONS) private readonly options: ResolvedRealtimeOptions,
  ) {}

  /**
   * Charges the frame's size to the connection's rate and queues it as it
   * came. It is decoded at its turn, where the work it asks for is charged
   * before any is done: its depth, its tag and its number of keys are
   * bounded before it is acted on.
   */
  handle(connection: WsRealtimeConnection, data: RawData, isBinary: boolean): void {
    if (!connection.isReading) return;
    const bytes = byteLength(data);
    // NOTE: the size is charged before the frame is even decoded, so a flood
    // of large frames costs its sender, not the server, the parsing.
    if (!connection.take(unitsForBytes(bytes))) return this.refuse(connection);
    // NOTE: decoding waits for the frame's turn too. Parsed on arrival, a
    // burst of frames would be parsed all at once, ahead of every other
    // connection's turn, and the queue would hold parsed values many times
    // larger than the bytes receiveQueueLimit counts (a 64 KiB frame of
    // nested arrays parses into some 1.6 MB).
    connection.enqueue(() => this.answer(connection, data, isBinary), bytes);
  }

  /**
   * Over its rate: what was accepted before is still answered, in order;
   * then the error and the close. Nothing sent after this frame is read.
   *
   * NOTE: before `Welcome`, the error and the close come at once, and what
   * was accepted is dropped: a connection not welcomed yet may wait long (a
   * slow registry), and must not keep reading a flood meanwhile.
   */
  private refuse(connection: WsRealtimeConnection): void {
    connection.refuse(RATE_LIMITED(), CloseCode.PolicyViolation, RATE_LIMIT_REASON);
  }

  private async answer(connection: WsRealtimeConnection, data: RawData, isBinary: boolean): Promise<void> {
    if (!connection.isReady) {
      await connection.ready;
      await connection.turn();
    }
    if (!connection.isOpen) return;
    const frame = isBinary
      ? BINARY
      : decodeClientFrame(data.toString(), { maxDepth: this.options.maxDepth, maxElements: this.options.maxElements });
    // Its turn has come: every frame before it was answered. Over the rate,
    // the frames after it are dropped with it. A connection whose measured
    // work took its rate below zero is over it too (take(0) fails then).
    const extra = frame === BINARY ? 0 : this.extraUnits(frame);
    if (!connection.takeForFrame(extra)) return connection.fail(RATE_LIMITED(), CloseCode.PolicyViolation, RATE_LIMIT_REASON);
    try {
      if (frame === BINARY) {
        connection.emit(EventName.Error, {
          error: ErrorCode.BinaryNotSupported,
          message: 'Binary frames are not supported: send JSON text frames',
        });
      } else if (frame.kind === 'invalid') {
        connection.emit(EventName.Error, { error: frame.code, message: this.whyInvalid(frame) });
      } else if (frame.kind === 'ring') {
        await this.handleRing(connection, frame);
      } else {
        await this.handleAction(connection, frame);
      }
    } catch (error) {
      // Only a server fault gets here (a registry that failed, a bug): what a
      // client sends is bounded and answered above. The client still gets an
      // answer, with no detail.
      this.logger.error('Realtime frame could not be answered', (error as Error)?.stack);
      this.answerFault(connection, frame);
    }
  }

  /** Work units a frame asks for beyond its size: its keys after the first, or a route call. */
  private extraUnits(frame: DecodedFrame): number {
    if (frame.kind === 'action') return this.actions.extraUnits(frame.action, frame.payload);
    // NOTE: charged one unit, ten connections at their rate (1,000 route calls
    // a second) kept a core busy and every other client waiting.
    if (frame.kind === 'ring' && frame.action === BuiltInAction.CallRoute) return CALL_ROUTE_EXTRA_UNITS;
    return 0;
  }

  private whyInvalid(frame: InvalidFrame): string {
    if (frame.code === ErrorCode.NestingTooDeep) return FRAME_TOO_DEEP(this.options.maxDepth);
    if (frame.code === ErrorCode.TooManyElements) return FRAME_TOO_WIDE(this.options.maxElements);
    if (frame.code === ErrorCode.InvalidPayload) return frame.field === 'tag' ? INVALID_TAG(MAX_TAG_LENGTH) : INVALID_ID(MAX_TAG_LENGTH);
    return 'Frames must be JSON objects';
  }

  private answerFault(connection: WsRealtimeConnection, frame: DecodedFrame | typeof BINARY): void {
    if (frame === BINARY || frame.kind === 'invalid' || !connection.isOpen) return;
    const { payload, status } = toErrorPayload(new Error('unanswered frame')); // InternalError, no detail
    connection.write(encoderFor(frame).error(status, payload));
  }

  private async handleAction(connection: WsRealtimeConnection, frame: ActionFrame): Promise<void> {
    const tag = tagOf(frame);
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
    return this.call(connection, frame.action, frame.payload, tagged(tag), NO_SUCH_ACTION);
  }

  private async handleRing(connection: WsRealtimeConnection, frame: RingFrame): Promise<void> {
    const { id, action, message } = frame;
    if (action === BuiltInAction.RingPing) {
      return connection.write(encodeRingReply(id, 200, 'pong'));
    }
    if (action === BuiltInAction.CallRoute) {
      // NOTE: the app's HTTP server runs the request outside any slice, in the
      // loop's reading of sockets: ten calls started in one turn were run back
      // to back there, and a quiet connection's frame waited for all of them.
      // At most one route call starts in a turn.
      connection.endTurn();
      const { status, headers, body } = await this.callRoute.call(connection, message);
      // The response came over loopback: it is encoded at this connection's own turn.
      await connection.turn();
      if (!connection.isOpen) return;
      return connection.write(encodeRingReply(id, status, body, headers));
    }
    return this.call(connection, action, message.payload ?? message.input ?? {}, ringReplies(id), NO_SUCH_RING_ACTION);
  }

  /**
   * Runs the application handler of an action and writes its reply, or the
   * error it ended with, in the frame's own style. A reply that cannot be
   * encoded is answered with the error instead, and logged.
   */
  private async call(
    connection: WsRealtimeConnection,
    action: string,
    payload: unknown,
    encoder: AnswerEncoder,
    noSuchAction: (action: string) => string,
  ): Promise<void> {
    const handler = this.handlers.get(action);
    if (!handler) {
      return connection.write(encoder.error(404, { error: ErrorCode.InvalidAction, message: noSuchAction(action) }));
    }
    const outcome = await this.invoke(connection, handler, payload).then(
      reply => ({ reply }),
      (error: unknown) => ({ error }),
    );
    // NOTE: a handler that waited for I/O or a timer ends outside the frame's
    // slice; encoding its reply (an echo of a large payload can take ms) is
    // done at the connection's own turn, measured and charged, and after the
    // connections that used less lately.
    await connection.turn();
    if (!connection.isOpen) return;
    if ('error' in outcome) {
      // HandlerFiltersFactory has already logged what was unexpected.
      const mapped = toErrorPayload(outcome.error);
      return connection.write(encoder.error(mapped.status, mapped.payload));
    }
    const { reply } = outcome;
    try {
      connection.write(encoder.reply(reply.event, reply.data));
    } catch (error) {
      this.logger.error(`Reply to realtime action "${action}" could not be encoded`, (error as Error)?.stack);
      const mapped = toErrorPayload(error);
      connection.write(encoder.error(mapped.status, mapped.payload));
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
