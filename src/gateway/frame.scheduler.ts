import { LanePriorityQueue } from './lane-priority.queue.js';

/** One connection's frames, as the scheduler sees them. */
export interface SchedulerLane {
  /**
   * When the connection's rate bucket will be full again (ms since the
   * epoch): the lane that used the least lately goes first.
   */
  busyUntil(): number;
  /**
   * Starts the lane's next slice: its next frame, or the rest of the frame it
   * is answering. Returns what to tell the slice's time once it is over (in
   * ms); `undefined` when there was nothing to run. Never throws.
   */
  runSlice(): ((ms: number) => void) | undefined;
}

/**
 * How long one turn of the event loop runs slices before it lets the loop
 * read sockets and run timers again, in ms. A frame read meanwhile waits for
 * at most this plus the one slice running.
 */
export const TURN_BUDGET_MS = 1;

/** A turn at least this long (ms) has its slices' times scaled by the process's CPU time. */
const LONG_TURN_MS = 1;
/** How old the CPU time read before a turn may be, in ms. */
const CPU_READING_MS = 5;

/** A slice's time, told to its lane when the turn ends. */
interface Measured {
  took: (ms: number) => void;
  ms: number;
}

/**
 * Runs every connection's frames, gateway-wide, one slice at a time, the
 * least busy connection first, and measures what each slice took.
 *
 * A slice is a frame's start (decoding it, its handler, everything the
 * promises it settles run) or, after the frame waited for I/O or a timer, the
 * rest of it up to its next wait (`ReceiveQueue.turn()`). It is measured
 * from its start until every microtask it queued has run, and charged to its
 * connection's rate.
 *
 * NOTE: measured on the clock, then, for a turn of 1 ms or more, scaled by
 * the process's CPU time over it (never up): a process that waits for the
 * CPU (a busy machine, a container's CPU quota used up) does not charge its
 * clients for the wait. On a machine loaded 6 times over, the clock alone
 * charged small frames enough to close clients that kept to their rate.
 * Node's only CPU clock is the whole process's (`process.cpuUsage()`, a
 * system call), so it is read before a turn only when the last reading is
 * 5 ms old, and after a long turn: the CPU time counted for a turn may
 * include up to 5 ms before it, never the wait.
 *
 * NOTE: frames used to run as they were read, each connection's in its own
 * turn. Ten connections whose frames arrived together then all ran in the same
 * turn of the loop, and a bystander waited for the ten. Here a frame read while
 * slices run waits for the turn to end (`TURN_BUDGET_MS` and the slice
 * running), and then goes before every connection that has used more of its
 * rate lately: a connection that sends little is never queued behind heavy
 * ones, however many there are. Waiting lanes are ordered by when their bucket
 * will be full again, taken when they ask for a slice; a lane that has been
 * busy waits until the moment its bucket would have refilled has come, so it
 * is served later but never starved.
 */
export class FrameScheduler {
  private readonly ready = new LanePriorityQueue<SchedulerLane>();
  /** Lanes in `ready`: a lane asks once until it runs. */
  private readonly waiting = new Set<SchedulerLane>();
  private current: SchedulerLane | undefined;
  private took: ((ms: number) => void) | undefined;
  /** The current slice asked for another one: it gets it after its charge. */
  private again = false;
  /** The current slice ends the turn, whatever is left of the budget. */
  private last = false;
  private startedAt = 0;
  private turnStartedAt = 0;
  /** Slices are running, or a turn to run them is due. */
  private active = false;
  /** The process's CPU time (µs) read at `cpuReadAt`, at most `CPU_READING_MS` before the turn began. */
  private cpu = 0;
  private cpuReadAt = -Infinity;
  /** This turn's slices, told their time when it ends. */
  private measured: Measured[] = [];

  constructor(private readonly budgetMs = TURN_BUDGET_MS) {}

  /** Whether `lane`'s slice is the one running. */
  isRunning(lane: SchedulerLane): boolean {
    return this.current === lane;
  }

  /**
   * Ends the turn after the slice running (if `lane`'s): what it started
   * (a request to this app's own HTTP server) is read and run by the event
   * loop before another slice can start one more.
   */
  endTurnAfter(lane: SchedulerLane): void {
    if (this.current === lane) this.last = true;
  }

  /** Lanes waiting for a slice. */
  get waitingLanes(): number {
    return this.waiting.size;
  }

  /**
   * Asks for a slice for `lane`: at once when no slice runs and none waits,
   * else in a coming turn of the event loop, after the lanes that used less.
   */
  request(lane: SchedulerLane): void {
    if (lane === this.current) {
      this.again = true;
      return;
    }
    if (this.waiting.has(lane)) return;
    this.waiting.add(lane);
    this.ready.push(lane, Math.max(lane.busyUntil(), Date.now()));
    if (!this.active) {
      // NOTE: with nothing running or waiting, there is no one to go before:
      // the slice runs at once, in the reading of the socket. Deferred to the
      // loop's next check phase, a lone Ping's round trip took 0.2 ms longer.
      this.active = true;
      this.turn();
    }
  }

  private readonly turn = (): void => {
    this.turnStartedAt = performance.now();
    if (this.turnStartedAt - this.cpuReadAt > CPU_READING_MS) this.readCpu(this.turnStartedAt);
    this.next();
  };

  /** Reads the process's CPU time; returns how much was used since the last reading, in ms. */
  private readCpu(now: number): number {
    const { user, system } = process.cpuUsage();
    const used = (user + system - this.cpu) / 1000;
    this.cpu = user + system;
    this.cpuReadAt = now;
    return used;
  }

  private next(): void {
    const lane = this.ready.pop();
    if (!lane) return this.endTurn(false);
    this.waiting.delete(lane);
    this.current = lane;
    this.startedAt = performance.now();
    // NOTE: a microtask queued now runs among the slice's own; the tick it
    // queues runs once the microtask queue is empty: after all of them.
    queueMicrotask(this.afterMicrotasks);
    this.took = lane.runSlice();
  }

  private readonly afterMicrotasks = (): void => {
    process.nextTick(this.sliceEnded);
  };

  private readonly sliceEnded = (): void => {
    const now = performance.now();
    const lane = this.current!;
    this.current = undefined;
    if (this.took) this.measured.push({ took: this.took, ms: now - this.startedAt });
    this.took = undefined;
    if (this.again) {
      this.again = false;
      this.waiting.add(lane);
      this.ready.push(lane, Math.max(lane.busyUntil(), Date.now()));
    }
    const last = this.last;
    this.last = false;
    if (this.ready.size > 0 && !last && now - this.turnStartedAt < this.budgetMs) this.next();
    else this.endTurn(this.ready.size > 0);
  };

  /** Tells this turn's slices their time; with lanes still waiting, they run in the next turn. */
  private endTurn(more: boolean): void {
    if (this.measured.length > 0) {
      const now = performance.now();
      const wall = now - this.turnStartedAt;
      const share = wall >= LONG_TURN_MS ? Math.min(1, this.readCpu(now) / wall) : 1;
      const measured = this.measured;
      this.measured = [];
      for (const slice of measured) slice.took(slice.ms * share);
    }
    // The rest wait for the next turn: sockets are read and timers run first.
    if (more) setImmediate(this.turn);
    else this.active = false;
  }
}
