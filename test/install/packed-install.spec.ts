import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startAppProcess, type AppProcess } from '../support/app-process.js';
import { startRedis, type RedisProcess } from '../support/redis-server.js';
import { runCommand } from '../support/run-command.js';
import { FreshApps, readmeInstalls, type FreshApp } from './fresh-apps.js';
import { connectPage, heard, itServesTheUserFlow, openRoomPage, say } from './user-flow.js';

const README = readmeInstalls();
/**
 * What a fresh app installs besides the package and an HTTP platform: the
 * README's install line, and what every Nest app already depends on.
 */
const README_PACKAGES = [...README.base, '@nestjs/core', '@nestjs/common', 'reflect-metadata', 'rxjs'];
/** What the README's Redis install line adds. */
const REDIS_PACKAGES = README.redis;
const SECRET = 'the-same-secret-on-every-instance';

/**
 * The package as a user gets it: `npm pack`, then `npm install` of the
 * tarball into fresh apps with only the README's dependencies, a strict
 * TypeScript app compiled against the installed types, and that app run as
 * its own process, checked with real HTTP requests and `ws` clients.
 */
const apps = new FreshApps();
let redis: RedisProcess | undefined;

before(async () => {
  await apps.prepare({
    express: { packages: [...README_PACKAGES, '@nestjs/platform-express'], overlays: ['express'] },
    fastify: { packages: [...README_PACKAGES, '@nestjs/platform-fastify'], overlays: ['fastify'] },
    // @nestjs/config only for the app's forRootAsync variant.
    redis: { extends: 'express', packages: [...REDIS_PACKAGES, '@nestjs/config'], overlays: ['express', 'config'] },
  });
  redis = await startRedis();
});
after(async () => {
  for (const line of await apps.timings()) console.log(line);
  await apps.remove();
  await redis?.stop();
});

/** Runs the fresh app's dist/main.js in its own dir; REDIS_URL is always set, so the runner's own never leaks in. */
function startFreshApp(app: FreshApp, env: { HTTP_PLATFORM: string; APP_MODULE?: string; REDIS_URL?: string }): Promise<AppProcess> {
  return startAppProcess(
    app.entry,
    { APP_MODULE: 'app', REDIS_URL: '', REALTIME_SECRET: SECRET, ...env },
    { cwd: app.dir },
  );
}

describe('base install (Express), without ioredis', () => {
  let app: FreshApp;
  before(async () => (app = await apps.get('express')));

  it('installs the tarball with only the README packages, and compiles strict TypeScript against its types', () => {
    assert.ok(app.has('nestjs-realtime'));
    // The premise of this block: the optional peers are really absent.
    for (const pkg of REDIS_PACKAGES) assert.equal(app.has(pkg), false, `${pkg} is installed`);
  });

  it("can import('nestjs-realtime')", async () => {
    const script = "const m = await import('nestjs-realtime'); console.log(typeof m.RealtimeModule, typeof m.ChannelService);";
    const result = await runCommand(process.execPath, ['--input-type=module', '--eval', script], { cwd: app.dir });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), 'function function');
  });

  describe('starts in memory and serves the whole flow', () => {
    let server: AppProcess | undefined;
    before(async () => (server = await startFreshApp(app, { HTTP_PLATFORM: 'express' })));
    after(() => server?.stop());
    itServesTheUserFlow(() => ({ server: server!, dir: app.dir }), 'lobby');
  });

  it('refuses `redis` at startup with a message naming the packages to install', async () => {
    await assert.rejects(startFreshApp(app, { HTTP_PLATFORM: 'express', REDIS_URL: redis!.url }), (error: Error) => {
      assert.match(error.message, /exited first/, 'the app stops at startup');
      for (const pkg of REDIS_PACKAGES) assert.ok(error.message.includes(pkg), `the message names ${pkg}:\n${error.message}`);
      return true;
    });
  });
});

describe('Redis install (Express + ioredis): two instances on one Redis', () => {
  let app: FreshApp;
  let instances: AppProcess[] = [];
  before(async () => {
    app = await apps.get('redis');
    // One configured with forRoot, the other with forRootAsync reading ConfigService.
    const started = await Promise.allSettled(
      ['app', 'config'].map(APP_MODULE => startFreshApp(app, { HTTP_PLATFORM: 'express', APP_MODULE, REDIS_URL: redis!.url })),
    );
    // Those that did start are stopped in after(), even when the other did not.
    instances = started.flatMap(result => (result.status === 'fulfilled' ? [result.value] : []));
    for (const result of started) if (result.status === 'rejected') throw result.reason;
  });
  after(() => Promise.all(instances.map(instance => instance.stop())));

  it('has ioredis installed', () => {
    for (const pkg of REDIS_PACKAGES) assert.ok(app.has(pkg), `${pkg} is not installed`);
  });

  describe('the instance configured with forRoot serves the whole flow', () => {
    itServesTheUserFlow(() => ({ server: instances[0]!, dir: app.dir }), 'north');
  });

  describe('the instance configured with forRootAsync and ConfigService serves the whole flow', () => {
    itServesTheUserFlow(() => ({ server: instances[1]!, dir: app.dir }), 'south');
  });

  it('delivers a push made on one instance to a page socket held by the other, both ways', async () => {
    for (const [from, to] of [[0, 1], [1, 0]] as const) {
      const room = `bridge-${from}-${to}`;
      const page = await openRoomPage(instances[from]!, room);
      const client = await connectPage(instances[to]!, page, [`room:${room}`]);
      try {
        assert.deepEqual(await say(instances[from]!, room, `from ${from}`), { channels: [`room:${room}`], localDeliveries: 0, status: 'published' });
        await heard(client, room, `from ${from}`);
      } finally {
        client.close();
      }
    }
  });
});

describe('Fastify install, in memory', () => {
  let app: FreshApp;

  let server: AppProcess | undefined;
  before(async () => {
    app = await apps.get('fastify');
    server = await startFreshApp(app, { HTTP_PLATFORM: 'fastify' });
  });
  after(() => server?.stop());

  it('has no @nestjs/platform-express', () => {
    assert.equal(app.has('@nestjs/platform-express'), false, 'a Fastify app has no Express platform');
  });

  itServesTheUserFlow(() => ({ server: server!, dir: app.dir }), 'lobby');
});
