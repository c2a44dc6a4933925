// Builds nestjs-realtime/client into dist/client:
//  - index.js + .d.ts (tsc, tsconfig.client.json), for `import ... from 'nestjs-realtime/client'`;
//  - nestjs-realtime-client.js (esbuild), one self-contained ES module (no imports)
//    that a page loads with <script type="module">.
// Run after the server build (`tsc -p tsconfig.build.json`), which it does not touch
// except for re-emitting, unchanged, the protocol files the client imports types from.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');

const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.client.json')], {
  cwd: root,
  stdio: 'inherit',
});
if (result.status !== 0) process.exit(result.status ?? 1);

const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const outfile = join(root, 'dist', 'client', 'nestjs-realtime-client.js');
await build({
  entryPoints: [join(root, 'src', 'client', 'index.ts')],
  outfile,
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2020',
  tsconfig: join(root, 'tsconfig.client.json'),
  legalComments: 'inline',
  banner: { js: `/*! nestjs-realtime client ${version} | MIT */` },
  logLevel: 'warning',
});

// The file must stand alone: a page loads it by URL, with nothing to resolve.
const bundle = readFileSync(outfile, 'utf8');
if (/^\s*import\s|^\s*export\s+\*\s+from\s|\bimport\(/m.test(bundle)) {
  console.error(`${outfile} still imports something; it must be self-contained.`);
  process.exit(1);
}
