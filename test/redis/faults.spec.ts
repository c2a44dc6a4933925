import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ChannelService, RealtimeTransportError } from 'nestjs-realtime';
import { redisFixtureModule } from '../fixtures/redis-fixture.module.js';
import { startRedis, type RedisProcess } from '../support/redis-server.js';
import { startApp, subscribePage, type TestApp } from '../support/test-app.js';
import { TestClient } from '../support/ws-client.js';

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** Pushes `<origin>-<n>` from one instance every few ms and records each outcome. */
class Traffic {
  readonly resolved: string[] = [];
  readonly rejected: string[] = [];
  private running = true;
  private readonly done: Promise<void>;

  constructor(
    private readonly channels: ChannelService,
    private readonly origin: string,
  ) {
    this.done = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }

  private async run(): Promise<void> {
    for (let n = 0; this.running; n++) {
      const id = `${this.origin}-${n}`;
      try {
        await this.channels.push({ id }, 'feed');
        this.resolved.push(id);
      } catch (error) {
        assert.ok(error instanceof RealtimeTransportError, `a push fails with RealtimeTransportError, not ${error}`);
        this.rejected.push(id);
      }
      await sleep(4);
    }
  }
}

async function health(app: TestApp): Promise<number> {
  return (await fetch(`${app.http}/health`)).status;
}

async function until(check: () => Promise<boolean>, what: string, attempts = 300): Promise<void> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (await check()) return;
    await sleep(25);
  }
  throw new Error(`Never happened: ${what}`);
}

describe('Redis faults', () => {
  let redis: RedisProcess;
  let a: TestApp;
  let b: TestApp;

  before(async () => {
    redis = await startRedis();
    a = await startApp(redisFixtureModule({ url: redis.url }));
    b = await startApp(redisFixtureModule({ url: redis.url }));
  });
  after(async () => {
    await a.close();
    await b.close();
    await redis.stop();
  });

  it('keeps serving locally through an outage, reports it, recovers, and loses nothing in silence', async () => {
    const pageA = await subscribePage(a, ['feed']);
    const pageB = await subscribePage(b, ['feed']);
    const onA = await TestClient.connect(`${a.ws}?socket_connection_id=${pageA.connectionId}`, { headers: { cookie: pageA.cookie } });
    const onB = await TestClient.connect(`${b.ws}?socket_connection_id=${pageB.connectionId}`, { headers: { cookie: pageB.cookie } });
    assert.equal(await health(a), 200);

    const fromA = new Traffic(a.app.get(ChannelService), 'a');
    const fromB = new Traffic(b.app.get(ChannelService), 'b');
    await sleep(200);

    await redis.kill();
    await until(async () => (await health(a)) === 503 && (await health(b)) === 503, 'both instances report the outage');
    const body = (await (await fetch(`${a.http}/health`)).json()) as { error: { realtime: { status: string } } };
    assert.equal(body.error.realtime.status, 'down');
    const rejectedBefore = fromA.rejected.length;
    await sleep(300);
    assert.ok(fromA.rejected.length > rejectedBefore, 'pushes during the outage are rejected to their caller');
    const lastLocal = fromA.rejected.at(-1)!;
    await onA.next(frame => frame.payload?.id === lastLocal);

    await redis.start();
    await until(async () => (await health(a)) === 200 && (await health(b)) === 200, 'both instances recover');
    await sleep(200);
    await fromA.stop();
    await fromB.stop();
    await onA.barrier();
    await onB.barrier();

    const got = (client: TestClient) => client.frames.filter(frame => frame.channel === 'feed').map(frame => frame.payload.id as string);
    for (const [client, name] of [[onA, 'A'], [onB, 'B']] as const) {
      const ids = got(client);
      assert.equal(new Set(ids).size, ids.length, `no duplicates on ${name}`);
    }
    const idsA = new Set(got(onA));
    const idsB = new Set(got(onB));
    for (const [traffic, local, remote] of [[fromA, idsA, idsB], [fromB, idsB, idsA]] as const) {
      assert.ok(traffic.resolved.length > 50 && traffic.rejected.length > 0, `traffic ran (${traffic.resolved.length} ok, ${traffic.rejected.length} refused)`);
      for (const id of [...traffic.resolved, ...traffic.rejected]) assert.ok(local.has(id), `${id} reached the local subscriber`);
      const missing = traffic.resolved.filter(id => !remote.has(id));
      assert.deepEqual(missing, [], 'every push that resolved reached the other instance');
    }
    onA.close();
    onB.close();
  });
});
