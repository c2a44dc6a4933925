import { Injectable } from '@nestjs/common';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ChannelService,
  isRealtimeConnection,
  REALTIME_CONNECTION,
  RealtimeModule,
  type PushReceipt,
  type RealtimeConnection,
  type RealtimeModuleAsyncOptions,
  type RealtimeModuleOptions,
  type RealtimeOptionsFactory,
} from 'nestjs-realtime';

/** Compile-time checks: these lines only have to compile as written. */
type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false;
function expectType<T extends true>(_: T): void {}

interface AppEvents {
  WidgetQtyChanged: { qty: number };
  ChatMessage: { text: string; from: string };
}

@Injectable()
class RealtimeConfig implements RealtimeOptionsFactory {
  createRealtimeOptions(): RealtimeModuleOptions {
    return { secret: 'from-a-typed-factory-0123' };
  }
}

describe('public types an app needs', () => {
  it('types ChannelService pushes by event, and leaves the untyped service open', () => {
    // Compile-time only: the services below are never called.
    const typed = null as unknown as ChannelService<AppEvents>;
    const push = () => typed.push({ qty: 3 }, 'widgets:1', { event: 'WidgetQtyChanged' });
    expectType<Equal<Awaited<ReturnType<typeof push>>, PushReceipt>>(true);
    void (() => typed.send({ id: 'x', digest: 'y' } as never, { text: 'hi', from: 'ada' }, { event: 'ChatMessage' }));
    void (() => typed.pushEvent('widgets', 1, 'WidgetQtyChanged', { qty: 1 }));
    // @ts-expect-error a payload that does not match the event
    void (() => typed.push({ qty: 'three' }, 'widgets:1', { event: 'WidgetQtyChanged' }));
    // @ts-expect-error an event the map does not name
    void (() => typed.push({}, 'widgets:1', { event: 'WidgetRenamed' }));
    // @ts-expect-error pushEvent checks the payload too
    void (() => typed.pushEvent('widgets', 1, 'ChatMessage', { qty: 1 }));

    const untyped = null as unknown as ChannelService;
    void (() => untyped.push({ anything: true }, 'news'));
    void (() => untyped.push('text', ['a', 'b'], { event: 'AnyEvent' }));
    // What app.get(ChannelService) gives: no map, any event.
    const fromContainer = null as unknown as ChannelService<object>;
    void (() => fromContainer.push({ job: 42 }, 'jobs', { event: 'JobDone' }));
    void (() => fromContainer.pushEvent('widgets', 2, 'WidgetQtyChanged', { quantity: 1 }));
  });

  it('types forRootAsync options and a useClass factory', () => {
    const options: RealtimeModuleAsyncOptions = { useClass: RealtimeConfig, path: '/live', isGlobal: false };
    const module = RealtimeModule.forRootAsync(options);
    assert.equal(module.global, false);
    const viaFactory: RealtimeModuleAsyncOptions = {
      useFactory: async () => ({ secret: 'async-factory-secret-0123' }),
      inject: [],
    };
    assert.equal(RealtimeModule.forRootAsync(viaFactory).global, true);
  });

  it('lets a handler unit test build a fake connection without a cast', () => {
    const sent: Array<[string, unknown]> = [];
    const connection: RealtimeConnection<{ name: string }> = {
      [REALTIME_CONNECTION]: true,
      connectionId: 'c'.repeat(64),
      digest: 'd'.repeat(64),
      user: { name: 'ada' },
      data: new Map(),
      headers: {},
      remoteAddress: '127.0.0.1',
      emit: (event, payload) => void sent.push([event, payload]),
      close: () => undefined,
    };
    assert.ok(isRealtimeConnection(connection));
    connection.emit('Hello', { to: connection.user?.name });
    assert.deepEqual(sent, [['Hello', { to: 'ada' }]]);
  });
});
