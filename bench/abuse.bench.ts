/**
 * What hostile clients cost everybody else, on this machine: the fixture app
 * in its own process, attackers, and a bystander that sends a Ping every
 * 10 ms and records how long each Pong took. Run with `npm run bench:abuse`.
 * (The tests assert counts and codes; the timings are here.)
 *
 * First, ten connections at the limits (`at-the-limits.ts`): the worst frames
 * the default limits allow, as fast as they allow, in memory and on Redis;
 * the bystander's p50 and p99 idle and under each attack, and the ratio of
 * the p99s (target: at most 2), each the median of RUNS runs. Then attacks
 * beyond the limits, or with them lifted: the bystander's latency, what the
 * attackers got, and the server's RSS.
 *
 * Settings (environment): SECONDS per measure (default 6), RUNS (default 3),
 * BACKEND=memory or BACKEND=redis for one of the two, BEYOND=0 to leave out
 * the attacks beyond the limits.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';
import { startAppProcess, type AppProcess } from '../test/support/app-process.js';
import { bystander, peer, quantile } from './abuse-peers.js';
import { atTheLimits } from './at-the-limits.js';

const SECONDS = Number(process.env.SECONDS ?? 6);
const RUNS = Number(process.env.RUNS ?? 3);
const ROOMY = { messageRate: { burst: 1_000_000, perSecond: 1_000_000 } };

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find(entry => entry.startsWith('VmRSS:'))!;
  return Math.round(Number(line.split(/\s+/)[1]) / 1024);
}

function report(name: string, latencies: number[], extra: string): void {
  const at = (q: number) => quantile(latencies, q).toFixed(1);
  console.log(`${name}\n  bystander Pong: ${latencies.length} pings, p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms\n  ${extra}`);
}

async function scenario(options: object, name: string, attack: (app: AppProcess) => Promise<string>): Promise<void> {
  const app = await startAppProcess('.build/test/fixtures/main.js', { FIXTURE_OPTIONS: JSON.stringify(options) });
  try {
    const finished = sleep(SECONDS * 1000);
    const [latencies, extra] = await Promise.all([bystander(app.ws, finished), attack(app).then(async text => (await finished, text))]);
    report(name, latencies, `${extra}; server RSS ${rssMiB(app.pid)} MiB`);
  } finally {
    await app.stop();
  }
}

const widest = (() => {
  const head = '{"action":"Subscribe","tag":"w","payload":{"exchange":"widgets","routing_keys":[';
  const keys = Math.floor((65_536 - head.length - 4) / 2) + 1;
  return `${head}${Array(keys).fill('1').join(',')}]}}`;
})();
const deep = `{"action":"Ping","tag":"d","payload":${'['.repeat(30_000)}${']'.repeat(30_000)}}`;
const flat = JSON.stringify({ action: 'Ping', tag: 'f', payload: { pad: 'p'.repeat(65_000) } });

/** Sends `frame` from `count` connections, keeping `window` unanswered each, until the time is up. */
async function flood(app: AppProcess, frame: string, count: number, window: number): Promise<string> {
  const attackers = await Promise.all(Array.from({ length: count }, () => peer(app.ws)));
  const deadline = Date.now() + SECONDS * 1000;
  let sent = 0;
  await Promise.all(
    attackers.map(async attacker => {
      while (Date.now() < deadline && attacker.socket.readyState === WebSocket.OPEN) {
        while (sent - attackers.reduce((sum, each) => sum + each.answers, 0) < window * count) {
          attacker.socket.send(frame);
          sent++;
        }
        await sleep(1);
      }
    }),
  );
  const answered = attackers.reduce((sum, each) => sum + each.answers, 0);
  const closed = attackers.filter(attacker => attacker.socket.readyState !== WebSocket.OPEN).length;
  for (const attacker of attackers) attacker.socket.close();
  const codes = await Promise.all(attackers.map(attacker => attacker.closed));
  return `attackers: ${sent} frames sent, ${answered} answered; ${closed} closed by the server (codes ${codes.join(', ')})`;
}

const worst = await atTheLimits(SECONDS, RUNS);
console.log(`\nWorst ratio of hostile p99 to idle p99: ${worst.toFixed(2)}x (target: 2x)\n`);
if (process.env.BEYOND === '0') process.exit(0);

console.log('Beyond the limits, or with them lifted (one run each)');
await scenario({}, 'eight frames of 32,730 routing keys at once (default options)', async app => {
  const attacker = await peer(app.ws);
  for (let n = 0; n < 8; n++) attacker.socket.send(widest);
  const code = await attacker.closed;
  return `attacker: ${attacker.answers} answers, then close ${code}`;
});
await scenario(ROOMY, 'frames nested 30,000 deep, 2 connections, rate lifted', app => flood(app, deep, 2, 4));
await scenario(ROOMY, 'flat 64 KiB frames, 2 connections, rate lifted', app => flood(app, flat, 2, 4));
await scenario({}, 'frames nested 30,000 deep, 2 connections, default rate', app => flood(app, deep, 2, 4));
await scenario({}, 'three sockets without Welcome (held connect hook) sending 60 KB frames (default options)', async app => {
  const before = rssMiB(app.pid);
  const held = await Promise.all([0, 1, 2].map(() => peer(app.ws, { 'x-hold': '1' }, false)));
  const frame = JSON.stringify({ action: 'Ping', payload: { pad: 'p'.repeat(60_000) } });
  let sent = 0;
  // As the clients did: 824 frames each (2,472 in all), each handed to the kernel before the next.
  await Promise.all(
    held.map(async ({ socket }) => {
      for (let n = 0; n < 824 && socket.readyState === WebSocket.OPEN; n++, sent++) {
        await new Promise<void>(resolve => socket.send(frame, () => resolve()));
      }
    }),
  );
  const codes = await Promise.all(held.map(socket => socket.closed));
  return `${sent} frames written, closes ${codes.join(', ')}; RSS ${before} MiB before`;
});
