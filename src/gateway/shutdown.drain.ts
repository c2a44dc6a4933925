import { CloseCode } from '../protocol/close-codes.js';
import { SHUTDOWN_CLOSE_GRACE_MS, SHUTDOWN_CLOSE_REASON } from '../realtime.constants.js';
import { spreadOver } from './spread.schedule.js';

/** Something the drain closes: a socket, or an event stream. */
export interface DrainTarget {
  /** Sends the close (`1001` with the reconnect hint); nothing when it is already closing. */
  close(code: number, reason: string): void;
  /** Whether it has closed. */
  isClosed(): boolean;
  /** Resolves once it has closed. */
  whenClosed(): Promise<void>;
  /** Cuts it at once: its client did not answer the close in time. */
  terminate(): void;
}

/** A copy of `items` in random order (Fisher-Yates), so no client is always closed first. */
function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/**
 * Closes `targets` in random order, spread evenly over `windowMs` (Myxi's
 * `shutdown_time`), each with `1001` and the reconnect hint. Ends as soon as
 * all have closed; otherwise, once the last close went out, waits
 * `SHUTDOWN_CLOSE_GRACE_MS` for the answers, closes what `late()` names (what
 * arrived meanwhile) and terminates whatever is still open.
 */
export async function drainTargets(targets: readonly DrainTarget[], windowMs: number, late: () => DrainTarget[]): Promise<void> {
  const order = shuffled(targets);
  const allClosed = Promise.all(order.map(target => target.whenClosed()));
  const schedule = spreadOver(order.length, windowMs, index => order[index]!.close(CloseCode.GoingAway, SHUTDOWN_CLOSE_REASON));
  await Promise.race([allClosed, schedule.done]);
  schedule.cancel();
  const left = [...new Set([...order, ...late()])].filter(target => !target.isClosed());
  for (const target of left) target.close(CloseCode.GoingAway, SHUTDOWN_CLOSE_REASON);
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>(resolve => (timer = setTimeout(resolve, SHUTDOWN_CLOSE_GRACE_MS)));
  await Promise.race([Promise.all(left.map(target => target.whenClosed())), grace]);
  clearTimeout(timer);
  for (const target of left) if (!target.isClosed()) target.terminate();
}
