// The tests use a real redis-server and Debian's chromium. On a machine that
// lacks them, install them from Debian's packages when we may (root with
// apt-get), else say exactly what to install.
import { spawnSync } from 'node:child_process';

const needed = [
  { command: 'redis-server', pkg: 'redis-server' },
  { command: 'redis-cli', pkg: 'redis-tools' },
  { command: 'chromium', pkg: 'chromium' },
];
const has = command => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
const missing = [...new Set(needed.filter(({ command }) => !has(command)).map(({ pkg }) => pkg))];
if (missing.length === 0) process.exit(0);

const root = typeof process.getuid === 'function' && process.getuid() === 0;
if (!root || !has('apt-get')) {
  console.error(`The tests need ${missing.join(', ')}: install them (Debian: apt-get install -y ${missing.join(' ')}).`);
  process.exit(1);
}
console.log(`Installing ${missing.join(', ')} from Debian's packages`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', ...missing]]) {
  const result = spawnSync('apt-get', args, { stdio: 'inherit', env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
