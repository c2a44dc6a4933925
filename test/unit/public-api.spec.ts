import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const ROOT = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');

/** Every name `dist/<entry>.d.ts` exports, values and types, `export type *` files included. */
function exportedNames(entry: string): string[] {
  const names = new Set<string>();
  const visit = (file: string) => {
    const text = read(file);
    for (const match of text.matchAll(/export (?:type )?\{([^}]*)\}/g)) {
      for (const part of match[1]!.split(',')) {
        const name = part.trim().split(/\s+as\s+/).pop()!.replace(/^type\s+/, '');
        if (name) names.add(name);
      }
    }
    for (const match of text.matchAll(/export (?:declare )?(?:interface|type|const|class|function|enum) (\w+)/g)) names.add(match[1]!);
    for (const match of text.matchAll(/export (?:type )?\* from '(\.[^']+)\.js'/g)) {
      visit(new URL(`${match[1]}.d.ts`, new URL(file, ROOT)).pathname.slice(new URL(ROOT).pathname.length));
    }
  };
  visit(entry);
  return [...names].sort();
}

/** The API as documented: README.md and every page of docs/. */
function documentation(): string {
  const pages = readdirSync(new URL('docs/', ROOT)).filter(name => name.endsWith('.md'));
  return [read('README.md'), ...pages.map(name => read(`docs/${name}`))].join('\n');
}

/** What `import('nestjs-realtime')` gives at run time. Changing it is changing the public API. */
const RUNTIME = [
  'BuiltInAction',
  'CALL_ROUTE_HEADER',
  'ChannelFamily',
  'ChannelService',
  'CloseCode',
  'ErrorCode',
  'EventName',
  'InvalidChannelError',
  'MemoryHub',
  'OnRealtimeConnect',
  'OnRealtimeDisconnect',
  'REALTIME_CONNECTION',
  'REALTIME_PROTOCOL',
  'RealtimeAccessError',
  'RealtimeClient',
  'RealtimeException',
  'RealtimeHandler',
  'RealtimeModule',
  'RealtimeTransport',
  'RealtimeTransportError',
  'TooManySubscriptionsError',
  'isRealtimeConnection',
  'isRealtimeContext',
  'memoryTransport',
];

describe('the public API', () => {
  it('exports exactly the documented values', async () => {
    const module = (await import('nestjs-realtime')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(module).sort(), [...RUNTIME].sort());
  });

  it('names every export, value or type, somewhere in README.md or docs/', () => {
    const docs = documentation();
    for (const entry of ['dist/index.d.ts', 'dist/client/index.d.ts', 'dist/health/index.d.ts']) {
      const missing = exportedNames(entry).filter(name => !new RegExp(`\\b${name}\\b`).test(docs));
      assert.deepEqual(missing, [], `${entry} exports names no document mentions`);
    }
  });

  it('keeps internals out: no options token, no resolved options, no defaults', () => {
    const names = exportedNames('dist/index.d.ts');
    for (const internal of ['REALTIME_OPTIONS', 'REALTIME_MODULE_OPTIONS', 'REALTIME_DEFAULTS', 'ResolvedRealtimeOptions', 'LocalDelivery']) {
      assert.equal(names.includes(internal), false, `${internal} is internal`);
    }
  });
});
