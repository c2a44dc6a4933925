import { Injectable, Module } from '@nestjs/common';
import { ExternalContextCreator, NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import assert from 'node:assert/strict';
import { after, before, describe, it, mock } from 'node:test';
import { RealtimeHandler, RealtimeModule } from 'nestjs-realtime';
import { fixtureModule } from '../fixtures/fixture.module.js';
import { startApp, type TestApp } from '../support/test-app.js';
import { until } from '../support/until.js';
import { TestClient } from '../support/ws-client.js';

describe('@RealtimeHandler', () => {
  let server: TestApp;
  let compiled = 0;
  before(async () => {
    const create = mock.method(ExternalContextCreator.prototype, 'create');
    server = await startApp(fixtureModule());
    compiled = create.mock.callCount();
    create.mock.restore();
  });
  after(() => server.close());

  it('replies with the returned value under the reply event and the caller tag', async () => {
    const client = await TestClient.connect(server.ws);
    const reply = await client.call('SayHello', { name: 'bo', times: 2 });
    assert.deepEqual(reply, {
      event: 'HelloThere',
      tag: reply.tag,
      payload: { greeting: 'hello bohello bo', isDto: true },
    });
    client.close();
  });

  it('runs ValidationPipe on @MessageBody() and lists what is wrong', async () => {
    const client = await TestClient.connect(server.ws);
    const reply = await client.call('SayHello', { name: 5, times: 0 });
    assert.equal(reply.event, 'Error');
    assert.equal(reply.payload.error, 'ValidationFailed');
    assert.deepEqual([...reply.payload.errors].sort(), ['name must be a string', 'times must not be less than 1']);
    client.close();
  });

  it('runs guards: a refusing guard answers Forbidden', async () => {
    const client = await TestClient.connect(server.ws);
    const reply = await client.call('Guarded');
    assert.deepEqual(reply.payload, { error: 'Forbidden', message: 'Forbidden resource' });
    client.close();
  });

  it('runs interceptors, exception filters, observables, promises and {event, data}', async () => {
    const client = await TestClient.connect(server.ws);
    assert.deepEqual((await client.call('Wrapped')).payload, { wrapped: 42 });
    assert.deepEqual((await client.call('Domain')).payload, { error: 'DomainRule', message: 'Widgets cannot be negative' });
    assert.equal((await client.call('Stream')).payload, 3, 'an observable replies with its last value');
    assert.deepEqual((await client.call('Later', { value: 'v' })).payload, { value: 'v' });
    const picked = await client.call('Pick');
    assert.deepEqual([picked.event, picked.payload], ['Picked', { ok: true }]);
    client.close();
  });

  it('turns an unexpected exception into InternalError without its text', async () => {
    const client = await TestClient.connect(server.ws);
    const reply = await client.call('Boom');
    assert.deepEqual(reply.payload, { error: 'InternalError', message: 'Internal server error' });
    const unserialisable = await client.call('Unserialisable');
    assert.equal(unserialisable.payload.error, 'InternalError');
    assert.equal((await client.call('Ping')).event, 'Pong', 'the connection goes on');
    client.close();
  });

  it("supports Myxi's Authenticate flow and AuthRequired", async () => {
    const client = await TestClient.connect(server.ws);
    assert.deepEqual((await client.call('WhoAmI')).payload, { error: 'AuthRequired', message: 'Sign in first' });
    const refused = await client.call('Authenticate', { token: 'bad' });
    assert.deepEqual(refused.payload, { error: 'InvalidSessionToken', message: 'Unknown token' });
    const accepted = await client.call('Authenticate', { token: 'good-token' });
    assert.deepEqual([accepted.event, accepted.payload], ['Authenticated', { username: 'alice' }]);
    assert.deepEqual((await client.call('WhoAmI')).payload, { name: 'alice' });
    client.close();
  });

  it('lets a connect-time guard sign the connection in, or refuse it with 4003', async () => {
    const signedIn = await TestClient.connect(server.ws, { headers: { 'x-token': 'carol' } });
    assert.deepEqual((await signedIn.call('WhoAmI')).payload, { name: 'carol' });
    signedIn.close();

    const refused = await TestClient.open(server.ws, { headers: { 'x-reject': '1' } });
    const closed = await refused.closed;
    assert.deepEqual(refused.frames, [{ event: 'Error', payload: { error: 'BadToken', message: 'Token refused' } }]);
    assert.equal(closed.code, 4003);
  });

  it('runs connect and disconnect hooks (join and leave)', async () => {
    const client = await TestClient.connect(server.ws);
    const id = client.welcome.payload.id;
    client.close();
    await client.closed;
    let events: string[] = [];
    await until(async () => {
      events = ((await (await fetch(`${server.http}/state`)).json()) as { events: string[] }).events;
      return events.includes(`disconnect:${id}`);
    }, 'the disconnect hook runs');
    assert.ok(events.includes(`connect:${id}`));
  });

  it('lets global enhancers tell realtime calls apart with isRealtimeContext()', async () => {
    const state = async () => ((await (await fetch(`${server.http}/state`)).json()) as { realtimeCalls: number }).realtimeCalls;
    const client = await TestClient.connect(server.ws);
    const before = await state();
    await client.call('Wrapped');
    await client.call('Later', {});
    assert.equal(await state(), before + 2, 'HTTP calls to /state are not counted');
    client.close();
  });

  it('compiles every handler once at startup, never per call', async () => {
    const create = mock.method(ExternalContextCreator.prototype, 'create');
    const client = await TestClient.connect(server.ws);
    for (let i = 0; i < 5; i++) await client.call('Wrapped');
    assert.equal(create.mock.callCount(), 0);
    create.mock.restore();
    client.close();
    assert.equal(compiled, 18, "the fixture's 16 actions and 2 hooks, each compiled once at startup");
  });

  it('fails fast on a duplicate or reserved action name', async () => {
    @Injectable()
    class One {
      @RealtimeHandler('Same') a() {}
    }
    @Injectable()
    class Two {
      @RealtimeHandler('Same') b() {}
    }
    @Module({ imports: [RealtimeModule.forRoot({ secret: 'duplicate-check-01234' })], providers: [One, Two] })
    class Duplicated {}
    const app = await NestFactory.create(Duplicated, { logger: false, abortOnError: false });
    app.useWebSocketAdapter(new WsAdapter(app));
    await assert.rejects(app.init(), /"Same" is handled twice: by One\.a and by Two\.b/);
    await app.close().catch(() => undefined);

    @Injectable()
    class Reserved {
      @RealtimeHandler('Subscribe') s() {}
    }
    @Module({ imports: [RealtimeModule.forRoot({ secret: 'duplicate-check-01234' })], providers: [Reserved] })
    class ReservedModule {}
    const second = await NestFactory.create(ReservedModule, { logger: false, abortOnError: false });
    second.useWebSocketAdapter(new WsAdapter(second));
    await assert.rejects(second.init(), /built-in action name "Subscribe"/);
    await second.close().catch(() => undefined);
  });
});
