/**
 * Capacity of cross-instance fan-out on this machine: two app instances (each
 * its own process) on a private redis-server, subscribers split between them,
 * and a publish-only worker pushing. Prints deliveries per second and Redis
 * commands per push. Run with `npm run bench:redis`.
 *
 * Settings (environment): SUBSCRIBERS (default 200), MESSAGES (default 2000),
 * PAYLOAD bytes (default 256), CONCURRENCY of pushes in flight (default 32).
 */
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import { ChannelService, RealtimeModule } from 'nestjs-realtime';
import { WebSocket } from 'ws';
import { startAppProcess } from '../test/support/app-process.js';
import { startRedis } from '../test/support/redis-server.js';

const SUBSCRIBERS = Number(process.env.SUBSCRIBERS ?? 200);
const MESSAGES = Number(process.env.MESSAGES ?? 2000);
const PAYLOAD = Number(process.env.PAYLOAD ?? 256);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 32);

interface Subscriber {
  socket: WebSocket;
  received: number;
}

async function subscriber(http: string, ws: string, onAll: () => void): Promise<Subscriber> {
  const response = await fetch(`${http}/subscribe?channels=bench`);
  const { connectionId } = (await response.json()) as { connectionId: string };
  const cookie = response.headers.getSetCookie()[0]!.split(';')[0]!;
  const socket = new WebSocket(`${ws}?socket_connection_id=${connectionId}`, { headers: { cookie } });
  const state: Subscriber = { socket, received: 0 };
  await new Promise<void>((resolve, reject) => {
    socket.on('message', data => {
      const frame = JSON.parse(data.toString()) as { event: string; channel?: string };
      if (frame.event === 'Welcome') resolve();
      else if (frame.channel === 'bench' && ++state.received === MESSAGES) onAll();
    });
    socket.once('error', reject);
  });
  return state;
}

function commandCalls(info: string): Map<string, number> {
  const calls = new Map<string, number>();
  for (const match of info.matchAll(/cmdstat_([a-z|]+):calls=(\d+)/g)) calls.set(match[1]!, Number(match[2]));
  return calls;
}

const redis = await startRedis();
const instances = await Promise.all(
  [0, 1].map(() => startAppProcess('.build/test/fixtures/redis-main.js', { REDIS_URL: redis.url })),
);
@Module({ imports: [RealtimeModule.forRoot({ gateway: false, secret: 'bench-secret-0123456789', redis: { url: redis.url } })] })
class WorkerModule {}
const worker = await NestFactory.createApplicationContext(WorkerModule, { logger: ['error'] });
const channels = worker.get(ChannelService);
const inspect = new Redis(redis.url);

try {
  let complete = 0;
  let finished!: () => void;
  const allDone = new Promise<void>(resolve => (finished = resolve));
  const subscribers: Subscriber[] = [];
  for (let i = 0; i < SUBSCRIBERS; i++) {
    const instance = instances[i % 2]!;
    subscribers.push(
      await subscriber(instance.http, instance.ws, () => {
        if (++complete === SUBSCRIBERS) finished();
      }),
    );
  }
  const payload = { text: 'x'.repeat(PAYLOAD) };
  await inspect.config('RESETSTAT');
  const started = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < MESSAGES) {
        next += 1;
        await channels.push(payload, 'bench', { event: 'Bench' });
      }
    }),
  );
  await allDone;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const stats = commandCalls(await inspect.info('commandstats'));
  const issued = (stats.get('evalsha') ?? 0) + (stats.get('eval') ?? 0);
  const insideScripts = ['get', 'incr', 'xadd', 'pexpire', 'publish'].reduce((sum, name) => sum + (stats.get(name) ?? 0), 0);

  const deliveries = MESSAGES * SUBSCRIBERS;
  console.log(
    JSON.stringify(
      {
        setup: { instances: 2, subscribers: SUBSCRIBERS, messages: MESSAGES, payloadBytes: PAYLOAD, concurrency: CONCURRENCY },
        seconds: Number(seconds.toFixed(3)),
        pushesPerSecond: Math.round(MESSAGES / seconds),
        deliveriesPerSecond: Math.round(deliveries / seconds),
        redisCommandsPerPush: Number((issued / MESSAGES).toFixed(3)),
        redisOperationsInsideScriptPerPush: Number((insideScripts / MESSAGES).toFixed(3)),
        commandstats: Object.fromEntries([...stats].filter(([, calls]) => calls > 0)),
      },
      null,
      2,
    ),
  );
  for (const { socket } of subscribers) socket.close();
} finally {
  inspect.disconnect();
  await worker.close();
  await Promise.all(instances.map(instance => instance.stop()));
  await redis.stop();
}
