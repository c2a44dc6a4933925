/**
 * What permessage-deflate costs the server, on this machine: the fixture app
 * in its own process (started with --expose-gc), CLIENTS sockets that offer
 * deflate (as browsers do), each a page subscribed to one channel, and pushes
 * fanned out to all of them. For each setting of `compression` it prints the
 * server's resident memory per connection (after a full collection: once
 * connected, after pushes, and after each client sent a frame of its own),
 * the server's CPU time per push and per delivery (user +
 * system, from /proc, zlib's thread pool included), and the bytes each
 * delivery took on the wire, for a push over the threshold and for one under
 * it. Run with `npm run bench:compression`.
 *
 * A push is encoded once, as text; ws then deflates that text once per
 * socket, with the socket's own zlib stream: compression is the one per-socket
 * cost of a push that grows with its size.
 *
 * Settings (environment): CLIENTS (default 1000), PUSHES per measure
 * (default 100), WARMUP pushes before the memory is read (default 20),
 * ONLY=<name> for one setting, COMPRESSION=<JSON> to compare off with that
 * value of the option (`'{"windowBits":12,"memLevel":6}'`).
 */
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { WebSocket } from 'ws';
import { startAppProcess, type AppProcess } from '../test/support/app-process.js';
import type { ProbeReport } from '../test/fixtures/probe.controller.js';

const CLIENTS = Number(process.env.CLIENTS ?? 1000);
const PUSHES = Number(process.env.PUSHES ?? 100);
const WARMUP = Number(process.env.WARMUP ?? 20);
/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** The settings compared: off, the defaults, zlib's sizes, smaller ones, and a slower level; or off and COMPRESSION (JSON). */
const SETTINGS: Array<{ name: string; compression: unknown }> = process.env.COMPRESSION
  ? [
      { name: 'off', compression: false },
      { name: `on, ${process.env.COMPRESSION}`, compression: JSON.parse(process.env.COMPRESSION) },
    ]
  : [
      { name: 'off', compression: false },
      { name: 'on (defaults: level 1, memLevel 6, windowBits 12)', compression: true },
      { name: "on, zlib's own sizes (memLevel 8, windowBits 15)", compression: { memLevel: 8, windowBits: 15 } },
      { name: 'on, small (memLevel 4, windowBits 10)', compression: { memLevel: 4, windowBits: 10 } },
      { name: 'on, level 6', compression: { level: 6 } },
    ];

/**
 * A dashboard's list: some 3 KiB of JSON, over the 1024-byte threshold. The
 * quantities change from push to push, as live data does: the same frame
 * again would deflate to a few bytes against the previous one.
 */
const large = () => ({
  widgets: Array.from({ length: 60 }, (_, i) => ({ id: i, name: `widget ${i}`, qty: Math.floor(Math.random() * 10_000), open: Math.random() < 0.5 })),
});
/** A counter's update: under the threshold, never compressed. */
const small = () => ({ widget: 12, qty: Math.floor(Math.random() * 10_000) });

interface Client {
  socket: WebSocket;
  received: number;
  pongs: number;
  wire(): number;
}

async function connect(app: AppProcess): Promise<Client> {
  const response = await fetch(`${app.http}/subscribe?channels=bench`);
  const { connectionId } = (await response.json()) as { connectionId: string };
  const cookie = response.headers.getSetCookie()[0]!.split(';')[0]!;
  const socket = new WebSocket(`${app.ws}?socket_connection_id=${connectionId}`, { headers: { cookie }, perMessageDeflate: true });
  const client: Client = {
    socket,
    received: 0,
    pongs: 0,
    wire: () => (socket as unknown as { _socket: { bytesRead: number } })._socket.bytesRead,
  };
  await new Promise<void>((resolve, reject) => {
    socket.on('message', data => {
      const frame = JSON.parse(data.toString()) as { event: string; channel?: string };
      if (frame.event === 'Welcome') resolve();
      else if (frame.channel === 'bench') client.received += 1;
      else if (frame.event === 'Pong') client.pongs += 1;
    });
    socket.once('error', reject);
  });
  return client;
}

/** The server's CPU time so far (user + system, all its threads), in ms. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

async function probe(app: AppProcess): Promise<ProbeReport> {
  return (await (await fetch(`${app.http}/probe`)).json()) as ProbeReport;
}

async function waitFor(check: () => boolean): Promise<void> {
  while (!check()) await new Promise(resolve => setTimeout(resolve, 5));
}

/** Pushes `count` messages one after the other, and waits until every client has them all. */
async function fanOut(app: AppProcess, clients: Client[], message: () => unknown, count: number) {
  const target = clients[0]!.received + count;
  const wireBefore = clients.reduce((sum, client) => sum + client.wire(), 0);
  const cpuBefore = cpuMs(app.pid);
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${app.http}/push/bench`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: message(), event: 'Bench' }),
    });
    if (!response.ok) throw new Error(`push failed: ${response.status}`);
  }
  await waitFor(() => clients.every(client => client.received >= target));
  const deliveries = count * clients.length;
  const cpu = cpuMs(app.pid) - cpuBefore;
  return {
    cpuMsPerPush: round(cpu / count, 2),
    cpuMicrosPerDelivery: round((cpu * 1000) / deliveries, 2),
    seconds: round((performance.now() - started) / 1000, 2),
    wireBytesPerDelivery: Math.round((clients.reduce((sum, client) => sum + client.wire(), 0) - wireBefore) / deliveries),
  };
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}

const kib = (bytes: number) => round(bytes / 1024, 1);

const frameBytes = (payload: unknown) => Buffer.byteLength(JSON.stringify({ event: 'Bench', channel: 'bench', payload }));
console.log(
  JSON.stringify({
    machine: {
      cpu: cpus()[0]?.model,
      cores: cpus().length,
      memoryGiB: round(totalmem() / 2 ** 30, 1),
      node: process.version,
      zlib: process.versions.zlib,
      note: 'the clients run in this process, on the same cores as the server',
    },
    setup: { clients: CLIENTS, pushes: PUSHES, warmup: WARMUP, largeFrameBytes: frameBytes(large()), smallFrameBytes: frameBytes(small()) },
  }),
);

for (const setting of SETTINGS) {
  if (process.env.ONLY && !setting.name.startsWith(process.env.ONLY)) continue;
  const app = await startAppProcess(
    '.build/test/fixtures/probed-main.js',
    { FIXTURE_OPTIONS: JSON.stringify({ compression: setting.compression, heartbeatInterval: 0 }) },
    { nodeArgs: ['--expose-gc'] },
  );
  try {
    const idle = await probe(app);
    const clients: Client[] = [];
    for (let i = 0; i < CLIENTS; i++) clients.push(await connect(app));
    const connected = await probe(app);
    await fanOut(app, clients, large, WARMUP);
    const warm = await probe(app);
    // Each client sends one frame, deflated where negotiated (ws compresses
    // every frame of a socket with context takeover): the server then holds
    // a decompressor for that socket too.
    for (const client of clients) client.socket.send(JSON.stringify({ action: 'Ping', tag: 'p', payload: { text: 'hello '.repeat(50) } }));
    await waitFor(() => clients.every(client => client.pongs >= 1));
    const inflated = await probe(app);
    const largePushes = await fanOut(app, clients, large, PUSHES);
    const smallPushes = await fanOut(app, clients, small, PUSHES);
    const negotiated = clients.filter(client => client.socket.extensions.includes('permessage-deflate')).length;
    console.log(
      JSON.stringify({
        setting: setting.name,
        negotiated,
        rssKiBPerConnection: {
          connected: kib((connected.rss - idle.rss) / CLIENTS),
          afterPushes: kib((warm.rss - idle.rss) / CLIENTS),
          afterClientFrames: kib((inflated.rss - idle.rss) / CLIENTS),
        },
        serverRssMiB: { idle: round(idle.rss / 2 ** 20, 1), afterClientFrames: round(inflated.rss / 2 ** 20, 1) },
        large: largePushes,
        small: smallPushes,
        errorsLogged: (await probe(app)).errors.length,
      }),
    );
    for (const client of clients) client.socket.terminate();
  } finally {
    await app.stop();
  }
}
