import { HttpException, HttpStatus } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { ErrorCode } from '../protocol/error-codes.js';
import type { ErrorPayload } from '../protocol/frames.js';
import { isWireCoded, WIRE_CODE } from '../errors/wire-code.js';

/** An error as the client will see it, plus the HTTP-like status for Ring replies. */
export interface MappedError {
  payload: ErrorPayload;
  status: number;
  /** Whether it was unexpected, so that the server logs it with its stack. */
  internal: boolean;
}

function pascal(name: string): string {
  return name
    .toLowerCase()
    .split('_')
    .map(word => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

const STATUS_OF: Record<string, number> = {
  [ErrorCode.InvalidJSON]: 400,
  [ErrorCode.NestingTooDeep]: 400,
  [ErrorCode.TooManyKeys]: 413,
  [ErrorCode.TooManyElements]: 413,
  [ErrorCode.InvalidPayload]: 400,
  [ErrorCode.ValidationFailed]: 400,
  [ErrorCode.AuthRequired]: 401,
  [ErrorCode.AccessRevoked]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.SubscriptionDenied]: 403,
  [ErrorCode.InvalidAction]: 404,
  [ErrorCode.InvalidExchange]: 404,
  [ErrorCode.AlreadySubscribed]: 409,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.TooManySubscriptions]: 429,
  [ErrorCode.InvalidChannel]: 400,
  [ErrorCode.InternalError]: 500,
  [ErrorCode.Unavailable]: 503,
};

/** The HTTP-like status that a Ring-style reply carries for an error code. */
export function statusOfCode(code: string): number {
  return STATUS_OF[code] ?? 400;
}

/**
 * Turns whatever a handler, guard or pipe threw into the `Error` payload the
 * client gets. Unknown errors and 5xx HTTP exceptions become `InternalError`
 * with a fixed message: their text may hold secrets, so it is logged, never
 * sent. This module's own errors carry their code (`WIRE_CODE`): a
 * `RealtimeTransportError` (Redis is unavailable) is `Unavailable`.
 */
export function toErrorPayload(error: unknown): MappedError {
  if (isWireCoded(error)) {
    const { code, message, details } = error[WIRE_CODE];
    return { payload: { ...details, error: code, message }, status: statusOfCode(code), internal: false };
  }
  if (error instanceof WsException) {
    const raw = error.getError();
    if (typeof raw === 'object' && raw !== null) {
      const { error: code, message, ...details } = raw as Record<string, unknown>;
      const name = typeof code === 'string' ? code : 'WsException';
      return {
        payload: { ...details, error: name, message: typeof message === 'string' ? message : name },
        status: statusOfCode(name),
        internal: false,
      };
    }
    return { payload: { error: 'WsException', message: String(raw) }, status: 400, internal: false };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const messages = typeof response === 'object' && response !== null ? (response as { message?: unknown }).message : undefined;
    if (status === HttpStatus.BAD_REQUEST && Array.isArray(messages)) {
      return {
        payload: { error: ErrorCode.ValidationFailed, message: 'Validation failed', errors: messages },
        status,
        internal: false,
      };
    }
    if (status >= 500) return INTERNAL;
    const name = status === HttpStatus.FORBIDDEN ? ErrorCode.Forbidden : pascal(HttpStatus[status] ?? 'Error');
    return {
      payload: { error: name, message: typeof messages === 'string' ? messages : error.message },
      status,
      internal: false,
    };
  }
  return INTERNAL;
}

/** What the client learns of a server fault: nothing but that it happened. */
const INTERNAL: MappedError = {
  payload: { error: ErrorCode.InternalError, message: 'Internal server error' },
  status: 500,
  internal: true,
};
