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
