import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  ChannelService,
  RealtimeModule,
  type RealtimeModuleOptions,
} from 'nestjs-realtime';
import { FixtureController } from '../fixtures/fixture.controller.js';
import { FixtureState } from '../fixtures/fixture-state.js';
import { fixtureModule } from '../fixtures/fixture.module.js';
import { startApp } from '../support/test-app.js';
import { TestClient } from '../support/ws-client.js';

@Injectable()
class ConfigService {
  get(): RealtimeModuleOptions {
    return { secret: 'from-config-service-0123', maxMessageSize: 128 };
  }
}

@Module({ providers: [ConfigService], exports: [ConfigService] })
class ConfigModule {}

@Injectable()
class RealtimeConfig {
  createRealtimeOptions(): RealtimeModuleOptions {
    return { secret: 'from-options-class-0123', maxSubscriptions: 7 };
  }
}

/** A feature module that injects ChannelService without importing RealtimeModule. */
@Injectable()
class Announcer {
  constructor(readonly channels: ChannelService) {}
}
@Module({ providers: [Announcer], exports: [Announcer] })
class FeatureModule {}

describe('RealtimeModule', () => {
  it('forRoot: serves HTTP and WebSocket on the same port', async () => {
    const server = await startApp(fixtureModule());
    try {
      const http = await fetch(`${server.http}/state`);
      assert.equal(http.status, 200);
      const client = await TestClient.connect(server.ws);
      assert.match(client.welcome.payload.id, /^[0-9a-f]{64}$/);
      client.close();
    } finally {
      await server.close();
    }
  });

  it('forRootAsync with useFactory + inject: options apply, path and isGlobal extras work', async () => {
    @Module({
      imports: [
        RealtimeModule.forRootAsync({
          imports: [ConfigModule],
          inject: [ConfigService],
          useFactory: (config: ConfigService) => config.get(),
          path: '/live',
        }),
        FeatureModule,
      ],
      controllers: [FixtureController],
      providers: [FixtureState],
    })
    class AsyncModule {}
    const server = await startApp(AsyncModule, '/live');
    try {
      // The factory's secret signs the cookie: a cookie signed with it is taken.
      const page = await fetch(`${server.http}/subscribe?channels=news`);
      const cookie = page.headers.getSetCookie()[0]!.split(';')[0]!;
      const [key, signature] = decodeURIComponent(cookie.split('=')[1]!).split('.');
      assert.equal(signature, createHmac('sha256', 'from-config-service-0123').update(key!).digest('base64url'));
      assert.ok(server.app.get(Announcer).channels instanceof ChannelService, 'global by default');
      const client = await TestClient.connect(server.ws);
      client.send({ action: 'Ping', tag: 'x'.repeat(200) });
      assert.equal((await client.closed).code, 1009, 'maxMessageSize from the factory is enforced');
      await assert.rejects(TestClient.open(server.ws.replace('/live', '/')), 'nothing listens on the default path');
    } finally {
      await server.close();
    }
  });

  it('forRootAsync with useClass', async () => {
    @Module({
      imports: [RealtimeModule.forRootAsync({ useClass: RealtimeConfig })],
      controllers: [FixtureController],
      providers: [FixtureState],
    })
    class ClassModule {}
    const server = await startApp(ClassModule);
    try {
      const channels = (count: number) => Array.from({ length: count }, (_, n) => `c${n}`).join(',');
      assert.equal((await fetch(`${server.http}/subscribe?channels=${channels(7)}`)).status, 200);
      assert.equal((await fetch(`${server.http}/subscribe?channels=${channels(8)}`)).status, 500, 'maxSubscriptions: 7 from the class');
    } finally {
      await server.close();
    }
  });

  it('isGlobal: false keeps ChannelService to the importing module', async () => {
    @Module({ imports: [RealtimeModule.forRoot({ secret: 'not-global-secret-0123', isGlobal: false }), FeatureModule] })
    class LocalModule {}
    await assert.rejects(
      NestFactory.create(LocalModule, { logger: false, abortOnError: false }),
      /ChannelService/,
    );
  });

  it('fails at startup, naming the option, when an option is invalid', async () => {
    @Module({ imports: [RealtimeModule.forRoot({ maxMessageSize: 1 })] })
    class BadModule {}
    await assert.rejects(
      NestFactory.create(BadModule, { logger: false, abortOnError: false }),
      /"maxMessageSize" must be a number >= 64/,
    );
  });

  it('says how to fix a missing ws adapter', async () => {
    @Module({ imports: [RealtimeModule.forRoot({ secret: 'adapter-check-0123456' })] })
    class PlainModule {}
    const app = await NestFactory.create(PlainModule, { logger: false, abortOnError: false });
    class NotWs extends WsAdapter {
      override create(): any {
        return { on() {}, once() {} };
      }
    }
    app.useWebSocketAdapter(new NotWs(app));
    await assert.rejects(app.init(), /app\.useWebSocketAdapter\(new WsAdapter\(app\)\)/);
    await app.close().catch(() => undefined);
  });
});
