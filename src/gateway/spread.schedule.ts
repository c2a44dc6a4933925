/** Shortest wait between two rounds of a schedule, in ms: items due closer together go in one round. */
const MIN_ROUND_MS = 10;

/** A running schedule: `done` resolves once every item ran or it was cancelled. */
export interface SpreadSchedule {
  readonly done: Promise<void>;
  cancel(): void;
}

/**
 * Runs `run(0)` to `run(count - 1)` spread evenly over `windowMs`: item `i`
 * is due `windowMs * i / count` ms after the start (the first at once, the
 * last one step before the window ends). One timer at a time; items due within
 * `MIN_ROUND_MS` of each other run in the same round, so a window of many
 * thousand items costs at most one wake-up per 10 ms. With `windowMs` 0, every
 * item runs at once.
 */
export function spreadOver(count: number, windowMs: number, run: (index: number) => void): SpreadSchedule {
  const started = Date.now();
  let next = 0;
  let timer: NodeJS.Timeout | undefined;
  let finish!: () => void;
  const done = new Promise<void>(resolve => (finish = resolve));
  const dueAt = (index: number) => (windowMs * index) / count;
  const round = (): void => {
    timer = undefined;
    const elapsed = Date.now() - started;
    while (next < count && dueAt(next) <= elapsed + MIN_ROUND_MS / 2) run(next++);
    if (next >= count) return finish();
    timer = setTimeout(round, Math.max(MIN_ROUND_MS, dueAt(next) - elapsed));
  };
  round();
  return {
    done,
    cancel: () => {
      clearTimeout(timer);
      timer = undefined;
      next = count;
      finish();
    },
  };
}
