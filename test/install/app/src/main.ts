import type { Type } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { AddressInfo } from 'node:net';
import type { HttpPlatform } from './http-platform.js';

// NOTE: both are picked by environment variables with computed specifiers,
// because each fresh app only holds the files whose packages it installed:
// `HTTP_PLATFORM` (express, fastify) loads `<name>.platform.js`, `APP_MODULE`
// (app, config) loads `<name>.module.js`.
const platformName = process.env.HTTP_PLATFORM ?? 'express';
const moduleName = process.env.APP_MODULE ?? 'app';
const { platform } = (await import(`./${platformName}.platform.js`)) as { platform: HttpPlatform };
const { AppModule } = (await import(`./${moduleName}.module.js`)) as { AppModule: Type<unknown> };

const app = await platform.create(AppModule);
app.useWebSocketAdapter(new WsAdapter(app));
app.enableShutdownHooks();
await app.listen(0, '127.0.0.1');
const { port } = app.getHttpServer().address() as AddressInfo;
process.stdout.write(`${JSON.stringify({ port })}\n`);
