import { MemoryHub } from '../../src/transport/memory/memory-hub.js';
import { memoryTransport } from '../../src/transport/memory/memory-transport.factory.js';
import { describeTransportContract } from './transport.contract.js';

describeTransportContract('memory (apps sharing one MemoryHub)', async () => {
  const hub = new MemoryHub();
  return { factory: memoryTransport({ hub }), cleanup: async () => undefined };
});
