import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import { SubscribeMessage, WebSocketGateway, type OnGatewayConnection } from '@nestjs/websockets';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RealtimeModule } from 'nestjs-realtime';
import { TestClient } from '../support/ws-client.js';

/** A plain gateway as Nest's docs write it: no path, so `/`. */
@WebSocketGateway()
class ChatGateway {}

let othersConnected = 0;

@WebSocketGateway({ path: '/other' })
class OtherGateway implements OnGatewayConnection {
  handleConnection(): void {
    othersConnected += 1;
  }

  @SubscribeMessage('echo')
  echo(): { event: string; data: string } {
    return { event: 'echoed', data: 'from /other' };
  }
}

async function start(module: object) {
  const app = await NestFactory.create(module as never, { logger: false, abortOnError: false });
  app.useWebSocketAdapter(new WsAdapter(app));
  return app;
}

describe('gateway paths', () => {
  it('fails at startup, naming both, when another gateway listens on the same path', async () => {
    @Module({ imports: [RealtimeModule.forRoot({ secret: 'path-clash-secret-0123' })], providers: [ChatGateway] })
    class ClashModule {}
    const app = await start(ClashModule);
    try {
      await assert.rejects(
        app.listen(0, '127.0.0.1'),
        /RealtimeModule's gateway and ChatGateway both listen for WebSocket upgrades on "\/"/,
      );
    } finally {
      await app.close().catch(() => undefined);
    }
  });

  it('fails when two RealtimeModule imports share a path', async () => {
    @Module({ imports: [RealtimeModule.forRoot({ secret: 'path-clash-secret-0123', path: '/live', isGlobal: false })] })
    class First {}
    @Module({ imports: [RealtimeModule.forRoot({ secret: 'path-clash-secret-0123', path: '/live/', isGlobal: false })] })
    class Second {}
    @Module({ imports: [First, Second] })
    class Both {}
    const app = await start(Both);
    try {
      await assert.rejects(app.listen(0, '127.0.0.1'), /another RealtimeModule import's gateway both listen .* on "\/live"/);
    } finally {
      await app.close().catch(() => undefined);
    }
  });

  it('lets a gateway on another path live beside the module', async () => {
    @Module({ imports: [RealtimeModule.forRoot({ secret: 'path-clash-secret-0123' })], providers: [OtherGateway] })
    class BesideModule {}
    const app = await start(BesideModule);
    await app.listen(0, '127.0.0.1');
    try {
      const { port } = app.getHttpServer().address() as { port: number };
      const realtime = await TestClient.connect(`ws://127.0.0.1:${port}/`);
      assert.equal((await realtime.call('Ping')).event, 'Pong');
      const other = await TestClient.open(`ws://127.0.0.1:${port}/other`);
      other.send({ event: 'echo', data: {} });
      assert.deepEqual(await other.next(frame => frame.event === 'echoed'), { event: 'echoed', data: 'from /other' });
      assert.equal(othersConnected, 1, "the other gateway's handleConnection ran");
      realtime.close();
      other.close();
    } finally {
      await app.close();
    }
  });
});
