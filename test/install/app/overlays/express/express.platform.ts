import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { HttpPlatform } from './http-platform.js';

/**
 * Nest's default platform.
 *
 * NOTE: `abortOnError: false` so that a startup error rejects `create()` and
 * Node prints it and exits 1, where the default would `process.abort()`.
 */
export const platform: HttpPlatform = {
  create: module => NestFactory.create<NestExpressApplication>(module, { logger: ['error', 'warn'], abortOnError: false }),
};
