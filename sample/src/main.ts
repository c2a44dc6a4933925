import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { WsAdapter } from '@nestjs/platform-ws';
import type { AddressInfo } from 'node:net';
import { AppModule } from './app.module.js';
import { publicAssetsDir } from './shared/public-assets.js';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule);
  // The realtime gateway runs on @nestjs/platform-ws, on the app's own HTTP server.
  app.useWebSocketAdapter(new WsAdapter(app));
  // Lets the gateway close open sockets (1001) on SIGTERM / SIGINT.
  app.enableShutdownHooks();
  // The pages' CSS and scripts (the realtime client itself is at /realtime/client.js).
  app.useStaticAssets(publicAssetsDir(), { prefix: '/assets/', maxAge: 0 });

  await app.listen(process.env.PORT ?? 3000);
  const { port } = app.getHttpServer().address() as AddressInfo;

  const logger = new Logger('Sample');
  if (process.env.REALTIME_SECRET === undefined) {
    logger.warn('REALTIME_SECRET is not set: using the development secret. Set it in production.');
  }
  logger.log(`Listening on http://localhost:${port}/`);
  // For test harnesses that start the sample on port 0.
  if (process.env.PRINT_PORT_JSON === '1') console.log(JSON.stringify({ port }));
}

void bootstrap();
