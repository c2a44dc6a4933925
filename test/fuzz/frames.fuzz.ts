/**
 * A long run of random hostile frames against the fixture app, outside
 * `npm test`: `npm run fuzz:frames` (FUZZ_SECONDS, default 60; FUZZ_SEED,
 * default random; FUZZ_CONNECTIONS, default 4). Each round sends 200 frames on
 * every connection and checks that each got the answers it must get, that
 * the connections stay open, that a bystander is answered and that nothing
 * was logged at error level. A failure prints the seed that repeats it.
 */
import { hostileFrames, seeded, sendAndCount } from '../support/hostile-frames.js';
import { assertNoErrorLogs, startWatchedApp } from '../support/watched-app.js';
import { TestClient } from '../support/ws-client.js';

const seconds = Number(process.env.FUZZ_SECONDS ?? 60);
const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const connections = Number(process.env.FUZZ_CONNECTIONS ?? 4);

// A round pipelines 200 frames, some of 40 KB: more than the default
// receiveQueueLimit lets a client pile up (close 4002, as receive-queue.spec.ts shows).
// NOTE: the connections all come from 127.0.0.1, so the per-address rate
// (addressMessageRate, shared by them) is off too: the run exercises frames,
// not the address's limit (admission.spec.ts shows that one).
const server = await startWatchedApp({
  messageRate: { burst: 1_000_000, perSecond: 1_000_000 },
  addressMessageRate: false,
  receiveQueueLimit: 16 << 20,
});
const random = seeded(seed);
const bystander = await TestClient.connect(server.ws);
const deadline = Date.now() + seconds * 1000;
let rounds = 0;
let frames = 0;
try {
  while (Date.now() < deadline) {
    // Fresh connections now and then, so that subscriptions do not only pile up.
    const clients = await Promise.all(Array.from({ length: connections }, () => TestClient.connect(server.ws)));
    for (let round = 0; round < 5 && Date.now() < deadline; round++, rounds++) {
      await Promise.all(clients.map((client, index) => sendAndCount(client, hostileFrames(random, 200, `c${index}r${rounds}f`))));
      frames += 200 * connections;
      await bystander.barrier();
      assertNoErrorLogs([server]);
    }
    for (const client of clients) client.close();
  }
  console.log(`fuzz:frames passed: ${frames} frames in ${rounds} rounds on ${connections} connections (seed ${seed})`);
} catch (error) {
  console.error(`fuzz:frames FAILED after ${frames} frames; repeat with FUZZ_SEED=${seed}\n`, error);
  process.exitCode = 1;
} finally {
  bystander.close();
  await server.close();
}
