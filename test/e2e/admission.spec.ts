import { Injectable, Module } from '@nestjs/common';
import { ConnectedSocket } from '@nestjs/websockets';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RealtimeHandler, RealtimeModule, type RealtimeConnection, type RealtimeModuleOptions } from 'nestjs-realtime';
import { startApp, type TestApp } from '../support/test-app.js';
import { TestClient } from '../support/ws-client.js';

@Injectable()
class WhereFrom {
  @RealtimeHandler('WhereFrom')
  whereFrom(@ConnectedSocket() connection: RealtimeConnection) {
    return { address: connection.remoteAddress };
  }
}

function appWith(options: RealtimeModuleOptions) {
  @Module({ imports: [RealtimeModule.forRoot({ secret: 'admission-secret-0123456', ...options })], providers: [WhereFrom] })
  class AdmissionModule {}
  return AdmissionModule;
}

/**
 * Connects once the server admits the address again: its count drops when
 * the server sees the TCP socket close, a moment after the client's close.
 */
async function connectWhenAdmitted(url: string, options: Parameters<typeof TestClient.connect>[1] = {}): Promise<TestClient> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await TestClient.connect(url, options);
    } catch (error) {
      if (attempt >= 100 || !/429/.test(String(error))) throw error;
      await new Promise(resolve => setTimeout(resolve, 20));
    }
  }
}

describe('admission of upgrades', () => {
  describe('per-address connection cap', () => {
    let server: TestApp;
    before(async () => (server = await startApp(appWith({ maxConnectionsPerAddress: 3 }))));
    after(() => server.close());

    it('answers 429 past the cap, and admits again once a socket closed', async () => {
      const open = await Promise.all([1, 2, 3].map(() => TestClient.connect(server.ws)));
      await assert.rejects(TestClient.open(server.ws), /Unexpected server response: 429/);
      open[0]!.close();
      const again = await connectWhenAdmitted(server.ws);
      assert.equal((await again.call('Ping')).event, 'Pong', 'a new socket is admitted once one closed');
      await assert.rejects(TestClient.open(server.ws), /429/);
      for (const client of [...open.slice(1), again]) client.close();
    });

    it('does not believe X-Forwarded-For by default: a client cannot pose as many', async () => {
      const clients: TestClient[] = [];
      for (const n of [1, 2, 3]) clients.push(await connectWhenAdmitted(server.ws, { headers: { 'x-forwarded-for': `203.0.113.${n}` } }));
      assert.deepEqual((await clients[0]!.call('WhereFrom')).payload, { address: '127.0.0.1' });
      await assert.rejects(TestClient.open(server.ws, { headers: { 'x-forwarded-for': '203.0.113.99' } }), /429/);
      for (const client of clients) client.close();
    });
  });

  describe('behind a trusted proxy', () => {
    let server: TestApp;
    before(async () => (server = await startApp(appWith({ maxConnectionsPerAddress: 1, trustProxy: ['loopback'] }))));
    after(() => server.close());

    it("takes the client's address from the proxy's X-Forwarded-For, and caps each client", async () => {
      const alice = await TestClient.connect(server.ws, { headers: { 'x-forwarded-for': '6.6.6.6, 203.0.113.7' } });
      assert.deepEqual((await alice.call('WhereFrom')).payload, { address: '203.0.113.7' });
      const bob = await TestClient.connect(server.ws, { headers: { 'x-forwarded-for': '198.51.100.4' } });
      assert.deepEqual((await bob.call('WhereFrom')).payload, { address: '198.51.100.4' });
      await assert.rejects(TestClient.open(server.ws, { headers: { 'x-forwarded-for': '203.0.113.7' } }), /429/);
      alice.close();
      bob.close();
    });
  });

  describe('same-origin', () => {
    let server: TestApp;
    before(async () => (server = await startApp(appWith({}))));
    after(() => server.close());

    it('compares the scheme: an https Origin does not open an http site', async () => {
      const host = new URL(server.http).host;
      await assert.rejects(TestClient.open(server.ws, { origin: `https://${host}` }), /Unexpected server response: 403/);
      const plain = await TestClient.connect(server.ws, { origin: `http://${host}` });
      plain.close();
      const proxied = await TestClient.connect(server.ws, { origin: `https://${host}`, headers: { 'x-forwarded-proto': 'https' } });
      proxied.close();
    });
  });

  describe('per-address message rate', () => {
    let server: TestApp;
    // 20 units per address and next to no refill, and frames charged by size
    // only (not by measured work, which a loaded machine inflates), so the
    // counts below are exact.
    before(async () => (server = await startApp(appWith({ addressMessageRate: { burst: 20, perSecond: 0.001 }, workUnitsPerMs: 0 }))));
    after(() => server.close());

    it('is shared by the connections of one address and outlives them: reconnecting buys nothing', async () => {
      const first = await TestClient.connect(server.ws);
      for (let i = 0; i < 15; i++) assert.equal((await first.call('Ping')).event, 'Pong');
      first.close();
      await first.closed;
      const second = await TestClient.connect(server.ws);
      const third = await TestClient.connect(server.ws);
      for (let i = 0; i < 3; i++) assert.equal((await second.call('Ping')).event, 'Pong');
      for (let i = 0; i < 2; i++) assert.equal((await third.call('Ping')).event, 'Pong');
      // The address's 20 units are spent: the next frame of either connection is refused.
      third.send({ action: 'Ping', tag: 'over' });
      assert.equal((await third.next(frame => frame.event === 'Error')).payload.error, 'RateLimited');
      assert.equal((await third.closed).code, 1008);
      second.close();
    });
  });
});
