import { CloseCode } from '../protocol/close-codes.js';

/** A connection's receive queue, as the budget sees it. */
export interface BudgetHolder {
  /** Bytes of frames it holds that are not answered yet. */
  readonly bytes: number;
  /** Drops everything it holds (releasing it here) and closes its connection. */
  overflow(code: number, reason: string): void;
}

/**
 * The bytes of client frames waiting to be answered, across every connection
 * of one gateway (`totalReceiveQueueLimit`). When a new frame would not fit,
 * the connection holding the most is closed with 1013 until it does: a client
 * that floods a stalled server loses its connection, the ones that wait for
 * one answer keep theirs.
 */
export class ReceiveQueueBudget {
  private used = 0;
  private readonly holders = new Set<BudgetHolder>();

  constructor(readonly limit: number) {}

  /** Bytes held across all connections. */
  get bytes(): number {
    return this.used;
  }

  /**
   * Makes room for `bytes` more in `requester`'s queue and counts them. False
   * when `requester` itself held the most and was closed instead.
   */
  reserve(requester: BudgetHolder, bytes: number): boolean {
    while (this.used + bytes > this.limit) {
      let largest = requester;
      let most = requester.bytes + bytes;
      for (const holder of this.holders) {
        if (holder !== requester && holder.bytes > most) {
          largest = holder;
          most = holder.bytes;
        }
      }
      largest.overflow(CloseCode.TryAgainLater, 'Server busy');
      if (largest === requester) return false;
    }
    this.used += bytes;
    this.holders.add(requester);
    return true;
  }

  /** Gives back `bytes` of `holder`'s; `empty` once it holds nothing more. */
  release(holder: BudgetHolder, bytes: number, empty: boolean): void {
    this.used -= bytes;
    if (empty) this.holders.delete(holder);
  }
}
