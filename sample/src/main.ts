import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import { AppModule } from './app.module.js';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule);
  // The realtime gateway runs on @nestjs/platform-ws, on the app's own HTTP server.
  app.useWebSocketAdapter(new WsAdapter(app));
  // Lets the gateway close open sockets (1001) on SIGTERM / SIGINT.
  app.enableShutdownHooks();

  const port = process.env.PORT ?? 3000;
  await app.listen(port);

  const logger = new Logger('Sample');
  if (process.env.REALTIME_SECRET === undefined) {
    logger.warn('REALTIME_SECRET is not set: using the development secret. Set it in production.');
  }
  logger.log(`Listening on http://localhost:${port}/`);
}

void bootstrap();
