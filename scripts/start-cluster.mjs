// Runs the sample as two instances sharing one Redis (REDIS_URL, default
// redis://127.0.0.1:6379), on PORT and PORT+1 (default 3000 and 3001), or on
// the two ports in PORTS ("3000,3001"). Ctrl-C stops both.
import { spawn } from 'node:child_process';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const base = Number(process.env.PORT ?? 3000);
const ports = (process.env.PORTS ?? `${base},${base + 1}`).split(',').map(Number);

const children = ports.map(port =>
  spawn(process.execPath, ['.build/sample/src/main.js'], {
    env: { ...process.env, PORT: String(port), REDIS_URL: redisUrl },
    stdio: 'inherit',
  }),
);
console.log(`Sample instances on ${ports.map(port => `http://localhost:${port}/`).join(' and ')}, sharing ${redisUrl}`);

let stopping = false;
function stop(signal) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill(signal);
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stop(signal));
for (const child of children) {
  child.on('exit', code => {
    stop('SIGTERM');
    if (children.every(other => other.exitCode !== null || other.signalCode !== null)) process.exit(code ?? 0);
  });
}
