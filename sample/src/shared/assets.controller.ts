import { Controller, Get, Header, NotFoundException, Param, StreamableFile } from '@nestjs/common';
import { createReadStream, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { publicAssetsDir } from './public-assets.js';

/** Content types of the files in `sample/public`. */
const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
};

/**
 * Serves the pages' CSS and scripts (`sample/public`) at `/assets/<file>`.
 *
 * NOTE: a controller rather than the platform's static-file middleware
 * (`useStaticAssets()` on Express, `@fastify/static` on Fastify), so the
 * sample serves them the same way on both with no extra dependency. Only the
 * files the folder held at startup are served, so no path can reach outside it.
 */
@Controller('assets')
export class AssetsController {
  private readonly files = new Map(
    readdirSync(publicAssetsDir())
      .filter(name => TYPES[extname(name)] !== undefined)
      .map(name => [name, { path: join(publicAssetsDir(), name), type: TYPES[extname(name)]! }]),
  );

  @Get(':file')
  @Header('cache-control', 'no-cache')
  asset(@Param('file') name: string): StreamableFile {
    const file = this.files.get(name);
    if (!file) throw new NotFoundException(`No asset named "${name}"`);
    return new StreamableFile(createReadStream(file.path), { type: file.type });
  }
}
