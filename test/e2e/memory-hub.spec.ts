import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MemoryHub, memoryTransport, RealtimeModule } from 'nestjs-realtime';
import { fixtureModule } from '../fixtures/fixture.module.js';
import { connectPage } from '../support/page-socket.js';
import { post, startApp, subscribePage, type TestApp } from '../support/test-app.js';

/** The `transport` option: two apps of one process on one MemoryHub are two instances of a fleet. */
describe('two apps on one MemoryHub', () => {
  const hub = new MemoryHub();
  let a: TestApp;
  let b: TestApp;
  before(async () => {
    a = await startApp(fixtureModule({ transport: memoryTransport({ hub }) }));
    b = await startApp(fixtureModule({ transport: memoryTransport({ hub }) }));
  });
  after(async () => {
    await a.close();
    await b.close();
  });

  it('carries a push made on one to a socket held by the other', async () => {
    const page = await subscribePage(a, ['news']);
    const client = await connectPage(b, page);
    assert.deepEqual(client.welcome.payload.channels, ['news'], "B sees the subscription A's route made");
    await post(a, '/push/news', { message: { from: 'a' }, event: 'Story' });
    assert.deepEqual((await client.next(frame => frame.event === 'Story')).payload, { from: 'a' });
    client.close();
  });

  it('keeps apps with a hub of their own apart', async () => {
    const lone = await startApp(fixtureModule());
    try {
      const page = await subscribePage(a, ['solo']);
      const client = await connectPage(lone, page);
      assert.deepEqual(client.welcome.payload.channels, [], 'nothing of the hub reaches an app outside it');
      client.close();
    } finally {
      await lone.close();
    }
  });

  it('refuses transport together with redis, naming the option', async () => {
    @Module({ imports: [RealtimeModule.forRoot({ transport: memoryTransport(), redis: { url: 'redis://127.0.0.1:1' } })] })
    class Both {}
    await assert.rejects(NestFactory.create(Both, { logger: false, abortOnError: false }), /"transport" must be left out when "redis" is given/);
  });
});
