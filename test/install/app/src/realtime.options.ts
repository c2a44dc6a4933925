import type { RealtimeModuleOptions } from 'nestjs-realtime';

/** The environment variables this app reads (from `process.env`, or through `ConfigService`). */
export interface RealtimeEnv {
  REALTIME_SECRET?: string | undefined;
  REDIS_URL?: string | undefined;
}

/**
 * The app's realtime options: pages get their connection id on `<body>`, the
 * browser client is served, and Redis is used when `REDIS_URL` is set (all
 * instances share the secret, as the README asks).
 */
export function realtimeOptions(env: RealtimeEnv): RealtimeModuleOptions {
  return {
    secret: env.REALTIME_SECRET ?? 'a-fresh-app-secret-for-its-tests',
    injectConnectionId: true,
    serveClient: true,
    redis: env.REDIS_URL ? { url: env.REDIS_URL } : undefined,
  };
}
