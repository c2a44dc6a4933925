import { Logger, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { WsAdapter } from '@nestjs/platform-ws';
import type { AddressInfo } from 'node:net';
import { AppModule } from './app.module.js';

/** The HTTP platform, from `PLATFORM`: `express` (the default) or `fastify`. */
function platform(): 'express' | 'fastify' {
  const name = process.env.PLATFORM || 'express';
  if (name !== 'express' && name !== 'fastify') throw new Error(`PLATFORM must be express or fastify, not "${name}"`);
  return name;
}

async function bootstrap(): Promise<void> {
  const app: INestApplication =
    platform() === 'fastify' ? await NestFactory.create(AppModule, new FastifyAdapter()) : await NestFactory.create(AppModule);
  // The realtime gateway runs on @nestjs/platform-ws, on the app's own HTTP server, on either platform.
  app.useWebSocketAdapter(new WsAdapter(app));
  // Lets the gateway drain on SIGTERM / SIGINT: open sockets get 1001, spread over shutdownDrain.
  app.enableShutdownHooks();

  await app.listen(process.env.PORT ?? 3000);
  const { port } = app.getHttpServer().address() as AddressInfo;

  const logger = new Logger('Sample');
  if (process.env.REALTIME_SECRET === undefined) {
    logger.warn('REALTIME_SECRET is not set: using the development secret. Set it in production.');
  }
  logger.log(`Listening on http://localhost:${port}/ (${platform()})`);
  // For test harnesses that start the sample on port 0.
  if (process.env.PRINT_PORT_JSON === '1') console.log(JSON.stringify({ port }));
}

void bootstrap();
