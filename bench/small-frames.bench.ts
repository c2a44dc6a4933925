/**
 * Throughput of small frames on this machine: the fixture app in its own
 * process, CONNECTIONS sockets that each send FRAMES Pings at once, and the
 * time until every Pong is back; frames answered a second, the median of RUNS
 * rounds (a pause between rounds lets the rates refill), and the server's CPU
 * time per frame (from /proc: what the server spent, whatever else the machine
 * was doing). The per-address limits are off: the sockets all come from
 * 127.0.0.1. Run with `npm run bench:small-frames`.
 *
 * Settings (environment): CONNECTIONS (default 200), FRAMES (default 50, at
 * most the burst of 200), RUNS (default 5).
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';
import { startAppProcess } from '../test/support/app-process.js';
import { median, peer, quantile } from './abuse-peers.js';

const CONNECTIONS = Number(process.env.CONNECTIONS ?? 200);
const FRAMES = Number(process.env.FRAMES ?? 50);
const RUNS = Number(process.env.RUNS ?? 5);

/** CPU time the process has used, in ms (user and system; /proc counts in ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const app = await startAppProcess('.build/test/fixtures/main.js', {
  FIXTURE_OPTIONS: JSON.stringify({ addressMessageRate: false, maxConnectionsPerAddress: 0 }),
});
try {
  const sockets = await Promise.all(Array.from({ length: CONNECTIONS }, () => peer(app.ws)));
  const rates: number[] = [];
  const latencies: number[] = [];
  let cpu = 0;
  for (let run = 0; run < RUNS; run++) {
    const cpuBefore = cpuMs(app.pid);
    const started = performance.now();
    await Promise.all(
      sockets.map(
        ({ socket }) =>
          new Promise<void>(resolve => {
            let answered = 0;
            const done = () => {
              socket.off('message', onMessage);
              socket.off('close', done);
              resolve();
            };
            const onMessage = () => {
              latencies.push(performance.now() - started);
              if (++answered === FRAMES) done();
            };
            socket.on('message', onMessage);
            // A connection the server closed (over its rate) counts as done.
            socket.on('close', done);
            for (let n = 0; n < FRAMES; n++) socket.send(`{"action":"Ping","tag":${n}}`);
          }),
      ),
    );
    rates.push((CONNECTIONS * FRAMES) / ((performance.now() - started) / 1000));
    cpu += cpuMs(app.pid) - cpuBefore;
    // The rate refills (100 units a second) before the next round.
    await sleep(Math.ceil((FRAMES / 100) * 1000) + 100);
  }
  const closed = sockets.filter(({ socket }) => socket.readyState !== WebSocket.OPEN).length;
  console.log(
    `${CONNECTIONS} connections × ${FRAMES} Pings at once: ${Math.round(median(rates))} frames answered a second ` +
      `(median of ${RUNS} rounds: ${rates.map(rate => Math.round(rate)).join(', ')}); ` +
      `a Pong came ${quantile(latencies, 0.5).toFixed(1)} ms (p50), ${quantile(latencies, 0.99).toFixed(1)} ms (p99) after its round began; ` +
      `server CPU ${((cpu * 1000) / (RUNS * CONNECTIONS * FRAMES)).toFixed(1)} µs a frame; ${closed} connections closed`,
  );
  for (const { socket } of sockets) socket.close();
} finally {
  await app.stop();
}
