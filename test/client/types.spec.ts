import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RealtimeSocket, type Subscription } from 'nestjs-realtime/client';
import { WebSocket } from 'ws';
import type { FixtureActions, FixtureEvents } from './client-support.js';

/** Compile-time checks: this file only has to compile (and not connect). */
type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false;
function expectType<T extends true>(_: T): void {}

describe('client types', () => {
  it('types requests, replies and push payloads from the maps an app gives', () => {
    const typed = new RealtimeSocket<FixtureActions, FixtureEvents>({ url: 'ws://127.0.0.1:9/', WebSocket });
    const reply = () => typed.request('SayHello', { name: 'x', times: 1 });
    expectType<Equal<Awaited<ReturnType<typeof reply>>, { greeting: string; isDto: boolean }>>(true);
    const ping = () => typed.request('Ping');
    expectType<Equal<Awaited<ReturnType<typeof ping>>, { time: number }>>(true);
    // @ts-expect-error an action the app did not declare
    void (() => typed.request('NoSuchAction'));
    // @ts-expect-error a payload of the wrong shape
    void (() => typed.request('SayHello', { name: 1, times: 1 }));

    const widget: Subscription<FixtureEvents> = typed.subscribe('widgets', 1);
    widget.on('WidgetQtyChanged', payload => expectType<Equal<typeof payload, { quantity: number }>>(true));
    widget.on('Subscribed', payload => expectType<Equal<typeof payload.channel, string>>(true));
    // @ts-expect-error an event the app did not declare
    widget.on('Nope', () => undefined);

    const untyped = new RealtimeSocket({ url: 'ws://127.0.0.1:9/', WebSocket });
    const anything = () => untyped.request('Anything', { any: 'payload' });
    expectType<Equal<Awaited<ReturnType<typeof anything>>, unknown>>(true);
    untyped.subscribe('news').on('Whatever', payload => expectType<Equal<typeof payload, unknown>>(true));
    assert.equal(typed.state, 'closed', 'nothing connected');
  });
});
