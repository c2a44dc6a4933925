import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap(name => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** The imports of a file (static, type-only and dynamic), relative ones resolved to repo paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s*'([^']+)'|import\(\s*'([^']+)'\s*\)/g)].map(
    match => match[1] ?? match[2]!,
  );
  return specifiers.map(spec => (spec.startsWith('.') ? normalize(join(dirname(file), spec)) : spec));
}

/** The folder of `src/` a path is in (`protocol`, `identity`, ...), or the path itself outside `src/`. */
function layerOf(path: string): string {
  const parts = relative('src', path).split('/');
  return path.startsWith('src/') && parts.length > 1 ? parts[0]! : path;
}

function violations(dir: string, allowed: (target: string) => boolean): string[] {
  return sources(dir).flatMap(file => importsOf(file).filter(target => !allowed(target)).map(target => `${file} -> ${target}`));
}

const external = (target: string) => !target.startsWith('src/') && !target.startsWith('test/') && !target.startsWith('sample/') && !target.startsWith('.');

describe('imports point one way (DEVELOPERS.md)', () => {
  it('protocol depends on nothing of ours', () => {
    assert.deepEqual(violations('src/protocol', target => layerOf(target) === 'protocol'), []);
  });

  it('identity depends on protocol only (with its own options slice)', () => {
    assert.deepEqual(violations('src/identity', target => ['identity', 'protocol'].includes(layerOf(target)) || external(target)), []);
  });

  it('channels never depend on the gateway, handlers or transports', () => {
    assert.deepEqual(violations('src/channels', target => !['gateway', 'handlers', 'transport'].includes(layerOf(target))), []);
  });

  it('transports never depend on handlers or the gateway', () => {
    assert.deepEqual(violations('src/transport', target => !['gateway', 'handlers'].includes(layerOf(target))), []);
  });

  it('the client shares only protocol', () => {
    assert.deepEqual(violations('src/client', target => ['client', 'protocol'].includes(layerOf(target)) || (external(target) && !target.startsWith('@nestjs'))), []);
  });

  it('the sample uses only the package and its public entry points', () => {
    assert.deepEqual(violations('sample/src', target => target.startsWith('sample/') || (external(target) && !target.includes('/src/') && !target.includes('dist/'))), []);
  });
});
