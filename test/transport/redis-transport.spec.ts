import { resolveRealtimeOptions } from '../../src/realtime-options.resolver.js';
import { redisBackend } from '../../src/transport/redis/redis-backend.factory.js';
import { startRedis, startRedisCluster } from '../support/redis-server.js';
import { describeTransportContract } from './transport.contract.js';

describeTransportContract('Redis (standalone)', async () => {
  const redis = await startRedis();
  const { redis: options } = resolveRealtimeOptions({ secret: 'contract-secret-0123456', redis: { url: redis.url, prefix: 'contract:' } });
  return { factory: redisBackend(options!), cleanup: () => redis.stop() };
});

describeTransportContract('Redis Cluster (sharded pub/sub)', async () => {
  const cluster = await startRedisCluster(3);
  const { redis: options } = resolveRealtimeOptions({ secret: 'contract-secret-0123456', redis: { cluster: { nodes: cluster.nodes }, prefix: 'contract:' } });
  return { factory: redisBackend(options!), cleanup: () => cluster.stop() };
});
