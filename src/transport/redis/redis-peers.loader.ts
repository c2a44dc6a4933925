import { REDIS_PEERS_MISSING } from '../../realtime.messages.js';

/** The optional peer packages that the Redis transport needs. */
export const REDIS_PEERS = ['ioredis'] as const;

function isMissing(error: unknown, name: string): boolean {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String(message).includes(`'${name}'`);
}

/**
 * Checks that the Redis transport's optional peers are installed, and fails
 * with one sentence naming every missing one.
 *
 * NOTE: they are optional peers, so an app on the embedded default must never
 * load them: everything that imports them is itself loaded with `import()`,
 * and only when `redis` is configured.
 */
export async function assertRedisPeers(): Promise<void> {
  const missing: string[] = [];
  for (const name of REDIS_PEERS) {
    try {
      await import(name);
    } catch (error) {
      if (!isMissing(error, name)) throw error;
      missing.push(name);
    }
  }
  if (missing.length > 0) throw new Error(REDIS_PEERS_MISSING(missing));
}
