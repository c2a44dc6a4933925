import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder of the browser files (`sample/public`: CSS and the pages'
 * scripts). They are plain JavaScript modules served as they are, so tsc
 * neither checks nor copies them: look for the folder from the compiled file
 * (`.build/sample/src/shared/`) upwards.
 */
export function publicAssetsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'sample', 'public');
    if (existsSync(join(candidate, 'app.css'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('sample/public not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}
