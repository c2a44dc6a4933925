import type { INestApplication } from '@nestjs/common';
import type { RealtimeModuleOptions } from 'nestjs-realtime';
import type { RealtimeSocket, RealtimeSocketEvents, Subscription, SubscriptionEventName, SubscriptionPayload } from 'nestjs-realtime/client';
import { WebSocket } from 'ws';
import { fixtureModule } from '../fixtures/fixture.module.js';
import { freePort } from '../support/free-port.js';
import { startApp, type TestApp } from '../support/test-app.js';

/** The fixture app's actions, as an application would type them for the client. */
export interface FixtureActions {
  SayHello: { payload: { name: string; times: number }; reply: { greeting: string; isDto: boolean } };
  Authenticate: { payload: { token: string }; reply: { username: string } };
  WhoAmI: { reply: { name: string } };
  Guarded: { reply: never };
  Later: { payload: { value: unknown }; reply: { value: unknown } };
}

/** The events the tests push. */
export interface FixtureEvents {
  WidgetQtyChanged: { quantity: number };
  Push: unknown;
  W: Record<string, never>;
  Said: Record<string, never>;
}

/** Fails a wait that would otherwise hang the suite; not a timing assertion. */
export function within<T>(promise: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Gave up waiting for ${what}`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** The next global event of that name (optionally one that passes `test`). */
export function nextEvent<K extends keyof RealtimeSocketEvents>(
  socket: RealtimeSocket<any, any>,
  event: K,
  test: (value: RealtimeSocketEvents[K]) => boolean = () => true,
): Promise<RealtimeSocketEvents[K]> {
  return within(
    new Promise(resolve => {
      const off = socket.on(event, value => {
        if (!test(value)) return;
        off();
        resolve(value);
      });
    }),
    `the "${event}" event`,
  );
}

/** The next event of that name on a subscription, with its frame. */
export function nextOn<E extends object, K extends SubscriptionEventName<E>>(
  subscription: Subscription<E>,
  event: K,
): Promise<{ payload: SubscriptionPayload<E, K>; frame: unknown }> {
  return within(
    new Promise(resolve => {
      const off = subscription.on(event, (payload, frame) => {
        off();
        resolve({ payload, frame });
      });
    }),
    `"${event}" on ${subscription.channel}`,
  );
}

/**
 * The `ws` WebSocket, recording every frame the client sends, so a test can
 * check what went over the wire.
 */
export function recordingWebSocket(sent: Array<Record<string, any>>): typeof WebSocket {
  return class RecordingWebSocket extends WebSocket {
    override send(data: any, ...rest: any[]): void {
      sent.push(JSON.parse(String(data)));
      (super.send as (...args: unknown[]) => void)(data, ...rest);
    }
  };
}

/** A fixture app that can be stopped and started again on the same port. */
export class RestartableApp {
  private running: TestApp | undefined;

  private constructor(
    readonly port: number,
    private readonly options: RealtimeModuleOptions,
  ) {}

  static async start(options: RealtimeModuleOptions = {}): Promise<RestartableApp> {
    const server = new RestartableApp(await freePort(), options);
    await server.start();
    return server;
  }

  /** The running app, if any. */
  get app(): INestApplication | undefined {
    return this.running?.app;
  }

  get ws(): string {
    return `ws://127.0.0.1:${this.port}/`;
  }

  /** What the shared helpers (`post`, `subscribePage`) need. */
  get testApp(): TestApp {
    return { ...this.running!, close: () => this.stop() };
  }

  async start(): Promise<void> {
    this.running = await startApp(fixtureModule(this.options), '/', 'express', undefined, { port: this.port });
  }

  async stop(): Promise<void> {
    const running = this.running;
    this.running = undefined;
    await running?.close();
  }
}
