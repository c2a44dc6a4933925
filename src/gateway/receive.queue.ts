import { CloseCode } from '../protocol/close-codes.js';
import type { FrameScheduler, SchedulerLane } from './frame.scheduler.js';
import type { BudgetHolder, ReceiveQueueBudget } from './receive-queue.budget.js';
import { unitsForBytes, unitsForWork } from './work-units.util.js';

interface Job {
  work: () => Promise<void>;
  bytes: number;
  /**
   * Units it was charged before its work was measured (its size when it
   * arrived, its keys or route call at its turn, its replies): its measured
   * work up to that much is paid for.
   */
  prepaid: number;
  /** Its slices so far, in ms. */
  ms: number;
}

/** What a receive queue needs from its connection and its gateway. */
export interface ReceiveQueueOptions {
  /** `receiveQueueLimit`, in bytes. */
  limit: number;
  budget: ReceiveQueueBudget;
  scheduler: FrameScheduler;
  /** Closes the connection; the queue is already empty. */
  close: (code: number, reason: string) => void;
  /** When the connection's rate will be full again (`WorkRateBucket.fullAt()`). */
  busyUntil: () => number;
  /** Charges work units found by measuring (the buckets may go below zero). */
  charge: (units: number) => void;
  /** What a millisecond of measured work costs (`workUnitsPerMs`); 0: nothing. */
  unitsPerMs: number;
}

/**
 * One connection's frames waiting to be answered, run one at a time in the
 * order they arrived (so an Unsubscribe never overtakes the Subscribe before
 * it), each in slices the gateway's `FrameScheduler` runs and measures. What
 * waits is bounded twice: `receiveQueueLimit` bytes for this connection (past
 * it, close 4002) and the gateway's `ReceiveQueueBudget`.
 */
export class ReceiveQueue implements BudgetHolder, SchedulerLane {
  private jobs: Job[] = [];
  private head = 0;
  /** The frame being answered, from its first slice until it settles. */
  private running: Job | undefined;
  /** The running frame waits for its next slice (`turn()`). */
  private resumers: Array<() => void> = [];
  private discarded = false;
  private held = 0;

  constructor(private readonly options: ReceiveQueueOptions) {}

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
    if (this.held + bytes > this.options.limit) {
      this.overflow(CloseCode.ReceiveQueueFull, 'Receive queue full');
      return false;
    }
    if (!this.options.budget.reserve(this, bytes)) return false;
    this.held += bytes;
    this.jobs.push({ work, bytes, prepaid: bytes > 0 ? unitsForBytes(bytes) : 0, ms: 0 });
    if (!this.running) this.options.scheduler.request(this);
    return true;
  }

  /** Counts `units` charged for the frame being answered as paying for its work. */
  prepay(units: number): void {
    if (this.running) this.running.prepaid += units;
  }

  /**
   * Waits for the running frame's next slice, after it waited for I/O or a
   * timer: what it does next is measured and charged, and waits for the
   * connections that used less lately. Within its slice, it goes on at once;
   * with `giveWay`, it ends the slice there and waits for a next one too (a
   * frame that does many small things, one after another).
   */
  turn(giveWay = false): Promise<void> | undefined {
    if (this.discarded || !this.running) return undefined;
    if (!giveWay && this.options.scheduler.isRunning(this)) return undefined;
    return new Promise(resolve => {
      this.resumers.push(resolve);
      this.options.scheduler.request(this);
    });
  }

  /** Ends the event loop's turn after this frame's slice (`FrameScheduler.endTurnAfter`). */
  endTurn(): void {
    this.options.scheduler.endTurnAfter(this);
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
    this.options.budget.release(this, this.held, true);
    this.held = 0;
    // The frame being answered goes on (outside any slice) and finds its connection closed.
    this.resume();
  }

  busyUntil(): number {
    return this.options.busyUntil();
  }

  runSlice(): ((ms: number) => void) | undefined {
    if (this.resumers.length > 0) {
      const job = this.running;
      this.resume();
      return job && (ms => this.charge(job, ms));
    }
    if (this.discarded || this.running || this.head >= this.jobs.length) return undefined;
    const job = this.jobs[this.head]!;
    this.jobs[this.head++] = undefined as unknown as Job;
    if (this.head > 1024 && this.head * 2 > this.jobs.length) {
      this.jobs = this.jobs.slice(this.head);
      this.head = 0;
    }
    this.running = job;
    const settled = () => this.settled(job);
    // NOTE: the work answers every failure itself; settling on a rejection
    // only keeps the queue going should it ever reject.
    void job.work().then(settled, settled);
    return ms => this.charge(job, ms);
  }

  /** Charges a slice of `job` that took `ms`, for as much as it was not paid for yet. */
  private charge(job: Job, ms: number): void {
    const perMs = this.options.unitsPerMs;
    const before = unitsForWork(job.ms, job.prepaid, perMs);
    job.ms += ms;
    const units = unitsForWork(job.ms, job.prepaid, perMs) - before;
    if (units > 0) this.options.charge(units);
  }

  private settled(job: Job): void {
    this.running = undefined;
    if (this.discarded) return;
    this.held -= job.bytes;
    this.options.budget.release(this, job.bytes, this.held === 0);
    if (this.head < this.jobs.length) this.options.scheduler.request(this);
  }

  private resume(): void {
    const resumers = this.resumers;
    this.resumers = [];
    for (const resume of resumers) resume();
  }

  private close(code: number, reason: string): void {
    this.options.close(code, reason);
  }
}
