import assert from 'node:assert/strict';
import type { ProbeReport } from '../fixtures/probe.controller.js';
import { startAppProcess, type AppProcess } from './app-process.js';

/** The fixture app in its own process, which can be asked for its heap and its error log. */
export interface ProbedApp extends AppProcess {
  /**
   * The heap after a full collection (none with `collect: false`, which is
   * cheap), and the errors logged since the last probe; fails if the process
   * does not answer.
   */
  probe(options?: { collect?: boolean }): Promise<ProbeReport>;
}

/**
 * Starts `test/fixtures/probed-main.ts` with `--expose-gc`: in memory, or on
 * the Redis at `redisUrl`, with `options` merged into its module options.
 *
 * NOTE: in a process of its own, the app's heap is not mixed with the
 * clients' that attack it, and `gc()` can be called before it is measured.
 */
export async function startProbedApp(options: object = {}, redisUrl?: string): Promise<ProbedApp> {
  const env: Record<string, string> = { FIXTURE_OPTIONS: JSON.stringify(options) };
  if (redisUrl) env.REDIS_URL = redisUrl;
  const app = await startAppProcess('.build/test/fixtures/probed-main.js', env, { nodeArgs: ['--expose-gc'] });
  return {
    ...app,
    async probe({ collect = true } = {}) {
      const response = await fetch(`${app.http}/probe${collect ? '' : '?gc=0'}`).catch((error: Error) => {
        throw new Error(`The app does not answer (${error.message}); its stderr:\n${app.output()}`);
      });
      if (!response.ok) throw new Error(`GET /probe: ${response.status} ${await response.text()}`);
      return (await response.json()) as ProbeReport;
    },
  };
}

/** Fails when any of the apps logged at error level since the last probe, quoting what they logged. */
export async function assertNoErrorsLogged(apps: readonly ProbedApp[]): Promise<void> {
  const reports = await Promise.all(apps.map(app => app.probe({ collect: false })));
  assert.deepEqual(reports.flatMap(report => report.errors), [], 'nothing a client sends may make the server log at error level');
}
