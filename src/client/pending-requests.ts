import { BuiltInAction, EventName } from '../protocol/event-names.js';
import type { EventFrame, RingReplyFrame, SubscriptionActionPayload } from '../protocol/frames.js';
import { CONNECTION_ID_PARAM } from '../protocol/identity-names.js';
import type { Connection, CurrentConnection, TaggedOperation } from './connection.js';
import { ClientErrorCode, isRecord, messageOf, RealtimeError } from './errors.js';
import { RECEIVE_ONLY_MESSAGE } from './event-stream-socket.js';
import type { RouteCallOptions, RouteResponse, Timers } from './types.js';

/** A request or route call: queued, then sent, then settled once. */
interface Job {
  kind: 'action' | 'route';
  /** The frame to send, given its tag (action) or id (route). */
  frame(key: string | number, connection: Connection): unknown;
  settle(frame: EventFrame | RingReplyFrame): void;
  fail(error: RealtimeError): void;
  /** Where it was sent, and under which key, once sent. */
  sentOn?: Connection;
  key?: string | number;
}

/** What a job is made from: its frame, and what its reply frame resolves to (or throws). */
type JobSpec<F extends EventFrame | RingReplyFrame, R> = Pick<Job, 'kind' | 'frame'> & { settles: (frame: F) => R };

/** The options of `RealtimeSocketOptions` that requests follow, as given. */
export interface RequestQueueOptions {
  requestTimeoutMs?: number;
  offline?: 'queue' | 'fail';
  maxQueue?: number;
}

/**
 * The socket's requests and route calls, from the call to their settling: the
 * offline queue, the timeouts (counted from the call), the tags and ids that
 * match replies to them, and the internal operations (`Subscribe`,
 * `Unsubscribe`) that share those tags.
 */
export class PendingRequests {
  private readonly requestTimeoutMs: number;
  private readonly offlineMode: 'queue' | 'fail';
  private readonly maxQueue: number;
  private readonly queue: Job[] = [];
  /** Numbers every tag and route id, across connections. */
  private sequence = 0;

  /**
   * @param current the socket's live connection
   * @param isStopped whether close() was called (or the client gave up) after a connect()
   */
  constructor(
    options: RequestQueueOptions,
    private readonly timers: Timers,
    private readonly current: CurrentConnection,
    private readonly isStopped: () => boolean,
  ) {
    this.requestTimeoutMs = positive(options.requestTimeoutMs, 10_000, 'requestTimeoutMs');
    this.maxQueue = positive(options.maxQueue, 100, 'maxQueue', true);
    this.offlineMode = options.offline ?? 'queue';
    if (this.offlineMode !== 'queue' && this.offlineMode !== 'fail') {
      throw new TypeError(`offline must be 'queue' or 'fail', got ${String(options.offline)}`);
    }
  }

  /**
   * Sends `{action, tag, payload}` (now, or from the queue once ready); resolves
   * with the payload of the first frame with the tag, rejects on `Error`.
   * `via`: sent at once on that connection, past the queue (the authenticate hook).
   */
  request<R>(action: string, payload: unknown, timeout: number | undefined, via?: Connection): Promise<R> {
    return this.submit(actionJob<R>(action, payload), timeout, via);
  }

  /** Sends a Ring-style `call-route`, as {@link request} does an action. */
  callRoute<B>(
    method: string,
    uri: string,
    input: Record<string, unknown>,
    options: RouteCallOptions,
    via?: Connection,
  ): Promise<RouteResponse<B>> {
    return this.submit(routeJob<B>(method, uri, input, options.headers), options.timeout, via);
  }

  /** Sends what waited in the queue, in order, on the connection now ready. */
  flush(connection: Connection): void {
    for (const job of this.queue.splice(0)) this.send(job, connection);
  }

  /** Fails everything still queued: the client stopped. */
  failQueued(error: RealtimeError): void {
    for (const job of this.queue.splice(0)) job.fail(error);
  }

  /** Sends an internal action whose replies an operation reads. */
  sendOperation(
    connection: Connection,
    action: string,
    payload: SubscriptionActionPayload,
    operation: TaggedOperation,
  ): void {
    if (connection.receiveOnly) {
      // Answered here as the server would refuse it, so the subscription ends with this error.
      operation.onFrame({ event: EventName.Error, payload: { error: ClientErrorCode.ReceiveOnly, message: RECEIVE_ONLY_MESSAGE } });
      return;
    }
    const tag = `c${++this.sequence}`;
    connection.tagged.set(tag, operation);
    try {
      connection.send({ action, tag, payload });
    } catch (error) {
      connection.tagged.delete(tag);
      operation.onDisconnect(new RealtimeError(ClientErrorCode.Disconnected, messageOf(error)));
    }
  }

  /**
   * Sends a job now (ready, or on the given connection for the authenticate
   * hook), queues it, or fails it, and settles it once.
   */
  private submit<R, F extends EventFrame | RingReplyFrame>(
    spec: JobSpec<F, R>,
    timeout: number | undefined,
    via: Connection | undefined,
  ): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      let timer: unknown;
      let done = false;
      const job: Job = {
        kind: spec.kind,
        frame: spec.frame,
        settle: frame => {
          if (done) return;
          finish();
          try {
            resolve(spec.settles(frame as F));
          } catch (error) {
            reject(error);
          }
        },
        fail: error => {
          if (done) return;
          finish();
          reject(error);
        },
      };
      const finish = () => {
        done = true;
        if (timer !== undefined) this.timers.clearTimeout(timer);
        const index = this.queue.indexOf(job);
        if (index >= 0) this.queue.splice(index, 1);
        if (job.sentOn && job.key !== undefined) {
          if (job.kind === 'route') job.sentOn.ring.delete(job.key);
          else job.sentOn.tagged.delete(String(job.key));
        }
      };

      const ready = this.readyConnection();
      if (via) {
        if (this.current() !== via || via.phase === 'closed') {
          return job.fail(new RealtimeError(ClientErrorCode.Disconnected, 'The socket closed during authentication'));
        }
      } else if (this.isStopped()) {
        return job.fail(new RealtimeError(ClientErrorCode.Closed, 'The client is closed: call connect() first'));
      } else if (!ready) {
        if (this.offlineMode === 'fail') {
          return job.fail(new RealtimeError(ClientErrorCode.Offline, 'Not connected'));
        }
        if (this.queue.length >= this.maxQueue) {
          return job.fail(new RealtimeError(ClientErrorCode.QueueFull, `The offline queue holds ${this.maxQueue} requests already`));
        }
      }
      const ms = positive(timeout, this.requestTimeoutMs, 'timeout');
      timer = this.timers.setTimeout(
        () => job.fail(new RealtimeError(ClientErrorCode.Timeout, `No reply within ${ms} ms`, { timeout: ms })),
        ms,
      );
      const target = via ?? ready;
      if (target) this.send(job, target);
      else this.queue.push(job);
    });
  }

  private readyConnection(): Connection | undefined {
    const connection = this.current();
    return connection?.phase === 'ready' ? connection : undefined;
  }

  private send(job: Job, connection: Connection): void {
    if (connection.receiveOnly) return job.fail(new RealtimeError(ClientErrorCode.ReceiveOnly, RECEIVE_ONLY_MESSAGE));
    const key = job.kind === 'route' ? ++this.sequence : `c${++this.sequence}`;
    job.sentOn = connection;
    job.key = key;
    if (job.kind === 'route') connection.ring.set(key, job);
    else
      connection.tagged.set(String(key), {
        onFrame: frame => {
          job.settle(frame);
          return true;
        },
        onDisconnect: error => job.fail(error),
      });
    try {
      connection.send(job.frame(key, connection));
    } catch (error) {
      job.fail(new RealtimeError(ClientErrorCode.Disconnected, messageOf(error)));
    }
  }
}

function actionJob<R>(action: string, payload: unknown): JobSpec<EventFrame, R> {
  return {
    kind: 'action',
    frame: tag => (payload === undefined ? { action, tag } : { action, tag, payload }),
    settles: frame => {
      if (frame.event === EventName.Error) throw RealtimeError.fromPayload(frame.payload);
      return frame.payload as R;
    },
  };
}

function routeJob<B>(
  method: string,
  uri: string,
  input: Record<string, unknown>,
  headers: Record<string, string> | undefined,
): JobSpec<RingReplyFrame, RouteResponse<B>> {
  return {
    kind: 'route',
    frame: (id, connection) => ({
      id,
      action: BuiltInAction.CallRoute,
      uri,
      method,
      // NOTE: pakyow's clients name the connection in the input too, under the query parameter's name.
      input: { ...input, [CONNECTION_ID_PARAM]: connection.connectionId },
      ...(headers ? { headers } : {}),
    }),
    settles: frame => ({
      status: frame.status,
      headers: isRecord(frame.headers) ? (frame.headers as Record<string, string>) : {},
      body: frame.body as B,
    }),
  };
}

/** A number option or argument: `fallback` when not given, else a number >= 0 (an integer if asked). */
function positive(value: number | undefined, fallback: number, name: string, integer = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0 || (integer && !Number.isInteger(value))) {
    throw new TypeError(`${name} must be a${integer ? 'n integer' : ' number'} >= 0, got ${String(value)}`);
  }
  return value;
}
