// Runs every compiled spec under .build/test with Node's test runner, one file
// at a time (the e2e specs start servers and child processes of their own).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function specs(dir) {
  return readdirSync(dir).flatMap(name => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return specs(path);
    return name.endsWith('.spec.js') ? [path] : [];
  });
}

const filter = process.argv.slice(2);
const files = specs('.build/test')
  .filter(file => filter.length === 0 || filter.some(part => file.includes(part)))
  .sort();
if (files.length === 0) {
  console.error('No compiled specs found under .build/test: run `npm run build:test` first.');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--enable-source-maps', '--test', '--test-concurrency=1', '--test-timeout=120000', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
