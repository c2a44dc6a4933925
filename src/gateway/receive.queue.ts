import { setImmediate as nextTurn } from 'node:timers/promises';
import { CloseCode } from '../protocol/close-codes.js';
import type { BudgetHolder, ReceiveQueueBudget } from './receive-queue.budget.js';

interface Job {
  work: () => Promise<void>;
  bytes: number;
}

/**
 * One connection's frames waiting to be answered, run one at a time in the
 * order they arrived (so an Unsubscribe never overtakes the Subscribe before
 * it). What waits is bounded twice: `receiveQueueLimit` bytes for this
 * connection (past it, close 4002) and the gateway's `ReceiveQueueBudget`.
 */
export class ReceiveQueue implements BudgetHolder {
  private jobs: Job[] = [];
  private head = 0;
  private running = false;
  private discarded = false;
  private held = 0;

  constructor(
    private readonly limit: number,
    private readonly budget: ReceiveQueueBudget,
    /** Closes the connection; the queue is already empty. */
    private readonly close: (code: number, reason: string) => void,
  ) {}

  /** Bytes of frames queued or being answered. */
  get bytes(): number {
    return this.held;
  }

  /**
   * Queues `work` that answers a frame of `bytes` bytes (0 for work of the
   * server's own). False when it was refused: the connection is closing.
   */
  push(work: () => Promise<void>, bytes: number): boolean {
    if (this.discarded) return false;
    if (this.held + bytes > this.limit) {
      this.overflow(CloseCode.ReceiveQueueFull, 'Receive queue full');
      return false;
    }
    if (!this.budget.reserve(this, bytes)) return false;
    this.held += bytes;
    this.jobs.push({ work, bytes });
    if (!this.running) void this.drain();
    return true;
  }

  overflow(code: number, reason: string): void {
    this.discard();
    this.close(code, reason);
  }

  /** Drops every frame not answered yet and gives their bytes back; nothing is queued after this. */
  discard(): void {
    if (this.discarded) return;
    this.discarded = true;
    this.jobs = [];
    this.head = 0;
    this.budget.release(this, this.held, true);
    this.held = 0;
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.head < this.jobs.length) {
      const job = this.jobs[this.head]!;
      this.jobs[this.head++] = undefined as unknown as Job;
      if (this.head > 1024 && this.head * 2 > this.jobs.length) {
        this.jobs = this.jobs.slice(this.head);
        this.head = 0;
      }
      // NOTE: the work answers every failure itself; this only keeps the
      // queue going should it ever reject.
      await job.work().catch(() => undefined);
      if (this.discarded) break;
      this.held -= job.bytes;
      this.budget.release(this, job.bytes, this.held === 0);
      // NOTE: one turn of the event loop per frame, so a client with a
      // backlog takes turns with every other connection instead of holding
      // the loop until its backlog is answered.
      if (this.head < this.jobs.length) await nextTurn();
    }
    this.running = false;
  }
}
