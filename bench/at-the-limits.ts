import { setTimeout as sleep } from 'node:timers/promises';
import { startAppProcess, type AppProcess } from '../test/support/app-process.js';
import { startRedis } from '../test/support/redis-server.js';
import { WORST_FRAMES, type WorstFrame } from '../test/support/worst-frames.js';
import { bystander, FASTEST_ALLOWED, median, paced, peer, quantile, type PacedOutcome } from './abuse-peers.js';

/**
 * What ten hostile connections cost a bystander when each sends the worst
 * frames the default limits allow, as fast as they allow (a burst of 200
 * units, then 100 a second): the bystander's Ping p50 and p99 with no one
 * else connected, then under each attack, and the ratio of the p99s (target:
 * at most 2). In memory, and on one instance on a real redis-server. Every
 * figure is the median of RUNS runs (the machine may be busy with other work).
 */

const HOSTILE = 10;

/** One attack: the frames each hostile connection sends in turn. */
interface Attack {
  name: string;
  /** The frames each connection sends in turn; connection i starts at frame i. */
  frames: readonly WorstFrame[];
}

const byName = (start: string) => WORST_FRAMES.find(frame => frame.name.startsWith(start))!;

/** The attacks: every worst frame (a Subscribe of 100 keys followed by an Unsubscribe of them all), then all mixed. */
const ATTACKS: readonly Attack[] = [
  { name: 'Subscribe 100 keys, then Unsubscribe all 100', frames: [byName('Subscribe'), byName('Unsubscribe')] },
  ...WORST_FRAMES.filter(frame => !/^(Subscribe|Unsubscribe)/.test(frame.name)).map(frame => ({ name: frame.name, frames: [frame] })),
  { name: 'all of these in turn, each connection starting at another', frames: WORST_FRAMES },
];

/** A run's figures for one attack. */
interface Figures {
  p50: number;
  p99: number;
  pings: number;
  attackers: PacedOutcome;
}

/** Where the app runs: its process, started afresh for each run. */
interface Backend {
  name: string;
  start(): Promise<AppProcess>;
  stop(): Promise<void>;
}

async function measure(app: AppProcess, seconds: number, attack?: Attack): Promise<Figures> {
  const watcher = await peer(app.ws);
  const deadline = Date.now() + seconds * 1000;
  const finished = sleep(seconds * 1000);
  const hostile = attack
    ? Promise.all(
        Array.from({ length: HOSTILE }, (_, i) =>
          // NOTE: each from an address of its own, as ten clients would be: one address's
          // connections share one rate (addressMessageRate), and the bystander's is 127.0.0.1.
          paced(app.ws, attack.frames.map((_, k) => attack.frames[(i + k) % attack.frames.length]!), deadline, `127.0.0.${i + 2}`),
        ),
      )
    : Promise.resolve([]);
  // NOTE: the bystander, connected beforehand, starts pinging once the attackers are connected and sending.
  await sleep(attack ? 300 : 0);
  const latencies = await bystander(app.ws, finished, watcher.socket);
  watcher.socket.close();
  const outcomes = await hostile;
  const attackers = outcomes.reduce<PacedOutcome>(
    (sum, each) => ({
      sent: sum.sent + each.sent,
      answers: sum.answers + each.answers,
      closes: [...sum.closes, ...each.closes],
      factor: Math.max(sum.factor, each.factor),
    }),
    { sent: 0, answers: 0, closes: [], factor: 1 },
  );
  return { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), pings: latencies.length, attackers };
}

function backends(): Backend[] {
  let redisStop: (() => Promise<void>) | undefined;
  return [
    { name: 'in memory', start: () => startAppProcess('.build/test/fixtures/main.js'), stop: async () => undefined },
    {
      name: 'on Redis',
      async start() {
        const redis = await startRedis();
        redisStop = () => redis.stop();
        return startAppProcess('.build/test/fixtures/redis-main.js', { REDIS_URL: redis.url });
      },
      stop: async () => redisStop?.(),
    },
  ];
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

/**
 * Measures every attack RUNS times on each backend (a fresh app each run) and
 * prints the medians; resolves with the worst ratio of hostile p99 to idle
 * p99.
 */
export async function atTheLimits(seconds: number, runs: number): Promise<number> {
  let worst = 0;
  console.log(
    `Ten hostile connections at the limits (default options: 64 KiB frames, 100 keys, 16 levels; a burst of ${FASTEST_ALLOWED.burst} units, ` +
      `then ${FASTEST_ALLOWED.perSecond} a second), a bystander's Ping every 10 ms; ${seconds} s per measure, median of ${runs} runs`,
  );
  // BACKEND=memory or BACKEND=redis (any case) measures only that one.
  const only = process.env.BACKEND?.toLowerCase();
  for (const backend of backends().filter(each => !only || each.name.toLowerCase().includes(only))) {
    const idle: Figures[] = [];
    const hostile = new Map<string, Figures[]>(ATTACKS.map(attack => [attack.name, []]));
    for (let run = 0; run < runs; run++) {
      const app = await backend.start();
      try {
        idle.push(await measure(app, seconds));
        for (const attack of ATTACKS) hostile.get(attack.name)!.push(await measure(app, seconds, attack));
      } finally {
        await app.stop();
        await backend.stop();
      }
    }
    const idleP99 = median(idle.map(figures => figures.p99));
    console.log(`\n${backend.name}: idle, p50 ${ms(median(idle.map(figures => figures.p50)))}, p99 ${ms(idleP99)} (${median(idle.map(figures => figures.pings))} pings a run)`);
    for (const [name, figures] of hostile) {
      const p99 = median(figures.map(each => each.p99));
      const ratio = p99 / idleP99;
      worst = Math.max(worst, ratio);
      const closes = figures.flatMap(each => each.attackers.closes);
      console.log(
        `  ${name}: p50 ${ms(median(figures.map(each => each.p50)))}, p99 ${ms(p99)} (${median(figures.map(each => each.pings))} pings), ` +
          `p99/idle ${ratio.toFixed(2)}x ${ratio <= 2 ? '(target met)' : '(over the 2x target)'}\n` +
          `    attackers, a run: ${median(figures.map(each => each.attackers.sent))} frames sent, ${median(figures.map(each => each.attackers.answers))} frames back; ` +
          `${closes.length === 0 ? 'none closed' : `closed by the server: ${closes.join(', ')}`}` +
          `${figures.some(each => each.attackers.factor > 1) ? `; learnt the work costs up to ${Math.max(...figures.map(each => each.attackers.factor)).toFixed(2)}x the units` : ''}`,
      );
    }
  }
  return worst;
}
