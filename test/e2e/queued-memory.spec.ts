import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startProbedApp, type ProbedApp } from '../support/probed-app.js';
import { nestedText } from '../support/client-frame.arbitraries.js';
import { MAX_MESSAGE_SIZE } from '../support/worst-frames.js';
import { TestClient } from '../support/ws-client.js';

/**
 * What frames cost while they wait for their turn: the bytes they came as,
 * which `receiveQueueLimit` and `totalReceiveQueueLimit` count, not values
 * parsed from them (a 64 KiB frame of 28,000 nested arrays parses into some
 * 1.6 MB). The app runs in its own process, so that its heap can be measured
 * after a full collection: a memory bound, not a timing.
 */

const CONNECTIONS = 20;
const FRAMES = 3;
/**
 * 64 KiB of arrays 16 deep (the frame's object being the first), as many as
 * fit: what parses into the most. The server refuses it at its turn
 * (`maxElements`); while it waits, it is only bytes.
 */
const nested = (() => {
  const leaf = nestedText(13);
  const count = Math.floor((MAX_MESSAGE_SIZE - 200) / (leaf.length + 1));
  const value = `[${Array(count).fill(leaf).join(',')}]`;
  return { build: (tag: string) => `{"action":"Later","tag":${JSON.stringify(tag)},"payload":{"value":${value}}}` };
})();

/** The heap and the Buffers (received frames are Buffers, outside the heap) after a full collection. */
async function memoryOf(app: ProbedApp): Promise<number> {
  const { heapUsed, arrayBuffers } = await app.probe();
  return heapUsed + arrayBuffers;
}

/** Sends text and resolves once it has been handed to the kernel, so the server can read it. */
function sent(client: TestClient, text: string): Promise<void> {
  return new Promise((resolve, reject) => client.socket.send(text, error => (error ? reject(error) : resolve())));
}

describe('abuse: frames waiting for their turn', () => {
  let app: ProbedApp;
  before(async () => (app = await startProbedApp()));
  after(() => app.stop());

  it(`holds ${CONNECTIONS} × ${FRAMES} frames of 64 KiB of nested arrays, waiting for Welcome, in about their bytes of memory`, async t => {
    const baseline = await memoryOf(app);
    // A connect hook that holds on (x-hold), as a stalled registry would: no Welcome, so every frame waits.
    const held = await Promise.all(Array.from({ length: CONNECTIONS }, () => TestClient.open(app.ws, { headers: { 'x-hold': '1' } })));
    const bytes = CONNECTIONS * FRAMES * Buffer.byteLength(nested.build('w0'));
    await Promise.all(held.flatMap(client => Array.from({ length: FRAMES }, (_, n) => sent(client, nested.build(`w${n}`)))));
    // On loopback, whatever another socket handed to the kernel before is read
    // first: once the bystander's Pong is back, the server has read every frame.
    const bystander = await TestClient.connect(app.ws);
    await bystander.barrier();
    const grown = (await memoryOf(app)) - baseline;
    t.diagnostic(`${(bytes / 2 ** 20).toFixed(1)} MiB of frames waiting; heap and buffers after gc grew by ${(grown / 2 ** 20).toFixed(1)} MiB`);
    // NOTE: parsed on arrival, they took some 25 times their bytes (about 90 MiB here).
    assert.ok(grown <= 2 * bytes + (8 << 20), `heap and buffers grew by ${grown} bytes for ${bytes} bytes of frames waiting`);
    assert.ok(held.every(client => client.socket.readyState === client.socket.OPEN), 'the held connections are still open');
    assert.deepEqual((await app.probe({ collect: false })).errors, []);
    for (const client of [...held, bystander]) client.close();
  });
});
