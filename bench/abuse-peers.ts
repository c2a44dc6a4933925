import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';

/**
 * The clients of `npm run bench:abuse`: a bystander that measures its Ping
 * round trips, and hostile peers that count what they get.
 */

/** A socket that counts the frames it receives (never parsing them) and how it was closed. */
export interface Peer {
  socket: WebSocket;
  answers: number;
  closed: Promise<number>;
}

/**
 * Opens a socket and waits for its Welcome (or, with `welcome` false, only for
 * it to open), from `localAddress` (a loopback address such as 127.0.0.2) if
 * given, so that the server sees another client address.
 */
export async function peer(url: string, headers: Record<string, string> = {}, welcome = true, localAddress?: string): Promise<Peer> {
  const socket = new WebSocket(url, { headers, localAddress });
  const state: Peer = { socket, answers: 0, closed: new Promise(resolve => socket.once('close', code => resolve(code))) };
  socket.on('message', () => state.answers++);
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    if (welcome) socket.once('message', () => resolve());
    else socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  state.answers = 0;
  return state;
}

/**
 * Pings every 10 ms until `stop`, one at a time, and returns each round trip
 * in ms; on `socket` if given (connected beforehand), else on a new one.
 */
export async function bystander(url: string, stop: Promise<unknown>, socket?: WebSocket): Promise<number[]> {
  const own = socket ?? (await peer(url)).socket;
  const latencies: number[] = [];
  let done = false;
  void stop.then(() => (done = true));
  for (let n = 0; !done; n++) {
    const started = performance.now();
    await new Promise<void>(resolve => {
      const onMessage = (data: Buffer) => {
        if (JSON.parse(data.toString()).tag !== n) return;
        own.off('message', onMessage);
        resolve();
      };
      own.on('message', onMessage);
      own.send(JSON.stringify({ action: 'Ping', tag: n }));
    });
    latencies.push(performance.now() - started);
    await sleep(10);
  }
  if (!socket) own.close();
  return latencies;
}

/** Latencies at a quantile (0.5, 0.99, 1 for the largest), in ms. */
export function quantile(latencies: readonly number[], q: number): number {
  const sorted = [...latencies].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** The median of a few runs' figures. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** What one kind of frame costs the rate, and its text for a tag. */
export interface PacedFrame {
  build(tag: string): string;
  units: number;
}

/** What a hostile peer got while it sent at the fastest rate allowed. */
export interface PacedOutcome {
  sent: number;
  answers: number;
  /** Close codes of the connections the server ended (each was replaced by a new one). */
  closes: number[];
  /** What the peer learnt the server charges, as a multiple of the frames' units (1: their size and keys). */
  factor: number;
}

/**
 * The fastest rate the server allows (`messageRate` defaults), but for 20
 * units of the burst.
 *
 * NOTE: the server charges a frame when it reads it. A frame it reads late
 * while its bucket is full loses the refill of that delay, and the frames
 * after it arrive early in its eyes: a client that spends the whole burst at
 * once and then sends at the full rate is closed (1008) now and then.
 */
export const FASTEST_ALLOWED = { burst: 180, perSecond: 100 };

/**
 * Sends `frames` in turn from one connection (a new one whenever the server
 * closes it), from `localAddress` if given, until `deadline`, at the fastest
 * rate the server allows: a token bucket like the server's (`burst` units at
 * once, `perSecond` a second), each frame sent as soon as the bucket holds
 * its units.
 *
 * NOTE: the server also charges a frame its measured work when that is more
 * than its units (`workUnitsPerMs`), which a client cannot know beforehand.
 * The peer learns it: each time the server closes it for its rate (1008), it
 * counts its frames 1.5 times as dear from then on, and reconnects.
 */
export async function paced(url: string, frames: readonly PacedFrame[], deadline: number, localAddress?: string, rate = FASTEST_ALLOWED): Promise<PacedOutcome> {
  const outcome: PacedOutcome = { sent: 0, answers: 0, closes: [], factor: 1 };
  let n = 0;
  while (Date.now() < deadline) {
    const connection = await peer(url, {}, true, localAddress);
    let tokens = rate.burst;
    let refilled = performance.now();
    let open = true;
    void connection.closed.then(code => {
      open = false;
      if (Date.now() < deadline) outcome.closes.push(code);
      if (code === 1008) outcome.factor *= 1.5;
    });
    while (open && Date.now() < deadline) {
      const frame = frames[n % frames.length]!;
      const units = frame.units * outcome.factor;
      const now = performance.now();
      tokens = Math.min(rate.burst, tokens + ((now - refilled) * rate.perSecond) / 1000);
      refilled = now;
      if (tokens < units) {
        await sleep(Math.ceil(((units - tokens) * 1000) / rate.perSecond));
        continue;
      }
      tokens -= units;
      connection.socket.send(frame.build(`h${n++}`));
      outcome.sent++;
      // NOTE: one frame per turn of the event loop, so the bystander's Pongs are read on time.
      await new Promise(resolve => setImmediate(resolve));
    }
    outcome.answers += connection.answers;
    connection.socket.close();
    await connection.closed;
  }
  return outcome;
}
