import assert from 'node:assert/strict';
import type { RealtimeModuleOptions } from 'nestjs-realtime';
import { fixtureModule } from '../fixtures/fixture.module.js';
import { CaptureLogger } from './capture-logger.js';
import { startApp, type Platform, type TestApp } from './test-app.js';

/** A fixture app whose every log entry is kept. */
export interface WatchedApp extends TestApp {
  logger: CaptureLogger;
}

/**
 * Starts the fixture app with `options`, logging into a `CaptureLogger`, so
 * that a spec can fail as soon as a client made it log at error level.
 */
export async function startWatchedApp(options: RealtimeModuleOptions, platform: Platform = 'express'): Promise<WatchedApp> {
  const logger = new CaptureLogger();
  const server = await startApp(fixtureModule(options), '/', platform, logger);
  return { ...server, logger };
}

/**
 * Fails when any of the apps logged at error (or fatal) level since the last
 * call, quoting the entries; then forgets what they logged.
 */
export function assertNoErrorLogs(apps: Iterable<WatchedApp | undefined>): void {
  const errors: string[] = [];
  for (const app of apps) {
    if (!app) continue;
    errors.push(...app.logger.errors.map(entry => entry.text));
    app.logger.entries.length = 0;
  }
  assert.deepEqual(errors, [], 'nothing a client sends may make the server log at error level');
}
