import type { INestApplication, Type } from '@nestjs/common';

/**
 * How `main.ts` creates the app on one HTTP platform. Each fresh app holds
 * the `<name>.platform.ts` files of the platforms it installed (copied from
 * `overlays/`), as a user's app depends on Express or on Fastify, not both.
 */
export interface HttpPlatform {
  create(module: Type<unknown>): Promise<INestApplication>;
}
