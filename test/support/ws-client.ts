import assert from 'node:assert/strict';
import { WebSocket, type ClientOptions } from 'ws';

/** A JSON frame as received. */
export type Frame = Record<string, any>;

/** How a connection ended. */
export interface Closed {
  code: number;
  reason: string;
}

/**
 * A real `ws` client that records every frame, so tests can wait for the one
 * they expect and check that nothing else arrived.
 */
export class TestClient {
  readonly frames: Frame[] = [];
  readonly closed: Promise<Closed>;
  private waiters: Array<{ test: (frame: Frame) => boolean; resolve: (frame: Frame) => void }> = [];
  private seen = 0;
  private tags = 0;
  private routeCalls = 0;

  private constructor(readonly socket: WebSocket) {
    this.closed = new Promise(resolve =>
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    socket.on('message', (data, isBinary) => {
      const frame = isBinary ? { binary: true } : (JSON.parse(data.toString()) as Frame);
      this.frames.push(frame);
      this.waiters = this.waiters.filter(waiter => {
        if (!waiter.test(frame)) return true;
        waiter.resolve(frame);
        return false;
      });
    });
  }

  /** Opens a socket and waits for it to be open (not for Welcome). */
  static async open(url: string, options: ClientOptions = {}): Promise<TestClient> {
    const socket = new WebSocket(url, options);
    const client = new TestClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return client;
  }

  /** Opens a socket and waits for its Welcome. */
  static async connect(url: string, options: ClientOptions = {}): Promise<TestClient> {
    const client = await TestClient.open(url, options);
    await client.next(frame => frame.event === 'Welcome');
    return client;
  }

  get welcome(): Frame {
    const frame = this.frames.find(candidate => candidate.event === 'Welcome');
    if (!frame) throw new Error('No Welcome yet');
    return frame;
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The first frame (already received or still to come) that passes the test. */
  next(test: (frame: Frame) => boolean, timeoutMs = 5000): Promise<Frame> {
    const found = this.frames.find(test);
    if (found) return Promise.resolve(found);
    return this.waitFor(test, timeoutMs);
  }

  /** The next frame *after the ones seen so far* that passes the test. */
  after(test: (frame: Frame) => boolean, timeoutMs = 5000): Promise<Frame> {
    const found = this.frames.slice(this.seen).find(test);
    this.seen = this.frames.length;
    if (found) return Promise.resolve(found);
    return this.waitFor(test, timeoutMs);
  }

  /** Sends an action with a fresh tag and resolves with the first frame tagged so. */
  async call(action: string, payload?: unknown): Promise<Frame> {
    const tag = `t${++this.tags}`;
    const reply = this.waitFor(frame => frame.tag === tag, 5000);
    this.send(payload === undefined ? { action, tag } : { action, tag, payload });
    return reply;
  }

  /**
   * Sends pakyow's `call-route` with a fresh id (and `headers`, when given)
   * and resolves with its Ring reply `{id, status, headers, body}`.
   */
  callRoute(method: string | null, uri: string, input?: unknown, headers?: Record<string, unknown>): Promise<Frame> {
    const id = `route-${++this.routeCalls}`;
    const reply = this.waitFor(frame => frame.id === id, 5000);
    this.send({ id, action: 'call-route', uri, method, input, headers });
    return reply;
  }

  /**
   * Waits until everything the server wrote before now has arrived: frames on
   * one socket keep their order, so once the Pong for this Ping is in, any
   * earlier push would be too.
   */
  async barrier(): Promise<void> {
    await this.call('Ping');
  }

  /**
   * How the server closed the connection; fails, quoting what arrived, when
   * it is still open after `timeoutMs` (a give-up, not a timing assertion).
   */
  whenClosed(timeoutMs = 10_000): Promise<Closed> {
    let timer: NodeJS.Timeout | undefined;
    const giveUp = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Not closed within ${timeoutMs} ms; got ${JSON.stringify(this.frames).slice(0, 2000)}`)), timeoutMs);
    });
    return Promise.race([this.closed, giveUp]).finally(() => clearTimeout(timer));
  }

  close(): void {
    this.socket.close();
  }

  private waitFor(test: (frame: Frame) => boolean, timeoutMs: number): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const waiter = {
        test,
        resolve: (frame: Frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter(candidate => candidate !== waiter);
        reject(new Error(`No matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames)}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }
}

/** Waits for the server's last frames on a connection whose access was ended: `Error AccessRevoked` (no tag), then close 4004. */
export async function assertRevoked(client: TestClient): Promise<void> {
  const error = await client.next(frame => frame.event === 'Error' && frame.payload.error === 'AccessRevoked');
  assert.equal('tag' in error, false);
  assert.deepEqual(await client.closed, { code: 4004, reason: 'Access revoked' });
}
