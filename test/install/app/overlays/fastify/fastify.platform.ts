import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { HttpPlatform } from './http-platform.js';

/**
 * Fastify, as Nest's docs set it up.
 *
 * NOTE: `abortOnError: false` so that a startup error rejects `create()` and
 * Node prints it and exits 1, where the default would `process.abort()`.
 */
export const platform: HttpPlatform = {
  create: module =>
    NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter(), {
      logger: ['error', 'warn'],
      abortOnError: false,
    }),
};
