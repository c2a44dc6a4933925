import type { ChildProcess } from 'node:child_process';

/**
 * Runs `cleanup` when this process exits, or is killed by SIGINT, SIGTERM or
 * SIGHUP, so that children a test started never outlive the run. After a
 * signal, the process dies of it as it would have, unless someone else handles
 * that signal.
 */
export function onProcessExit(cleanup: () => void): void {
  process.on('exit', cleanup);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      cleanup();
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}

/** The children handed to `killOnExit` that have not exited yet. */
const children = new Set<ChildProcess>();
let killingChildren = false;

/**
 * SIGKILLs `child` if this process exits, or is killed by a signal, while the
 * child still runs, so that no app, command or server a test started
 * outlives the run.
 */
export function killOnExit(child: ChildProcess): void {
  if (!killingChildren) {
    killingChildren = true;
    onProcessExit(() => {
      for (const running of children) running.kill('SIGKILL');
    });
  }
  children.add(child);
  child.once('exit', () => children.delete(child));
  child.once('error', () => children.delete(child));
}
