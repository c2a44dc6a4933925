import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';
import { onProcessExit } from './on-exit.js';

const execFileAsync = promisify(execFile);

/**
 * Every redis-server this process started and that has not exited yet, with
 * its temp dir. Whatever is still here when the process exits, or is killed
 * by a signal, gets SIGKILLed, so a failed or aborted test never leaves a
 * server behind.
 */
const live = new Map<ChildProcess, string>();
onProcessExit(() => {
  for (const [child, dir] of live) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A throwaway redis-server on a loopback port: crash it, stop it, bring it back. */
export interface RedisProcess {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** Whether the server process is alive (it may still be starting up). */
  readonly running: boolean;
  /** SIGKILLs the server, as a crash would; resolves once it has exited. */
  kill(): Promise<void>;
  /** SIGTERMs the server (SIGKILL after 5 s) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port, with an empty dataset, and waits until it answers PING. */
  start(): Promise<void>;
  /**
   * SIGSTOPs the server: its sockets stay open and it answers nothing, as a
   * hung or swapping Redis would. Its data is kept.
   */
  pause(): void;
  /** SIGCONTs a paused server: it answers everything it was sent meanwhile. */
  resume(): void;
}

/** A Redis Cluster of masters only, every slot assigned and agreed on. */
export interface RedisCluster {
  /** The masters, ready for `new Redis.Cluster(nodes)`. */
  readonly nodes: Array<{ host: '127.0.0.1'; port: number }>;
  /** Kills every node and removes their temp dirs. */
  stop(): Promise<void>;
}

/**
 * Starts a redis-server on `options.port`, or on a free loopback port, with no
 * persistence and a fresh temp dir; resolves once it answers PING.
 */
export async function startRedis(options: { port?: number } = {}): Promise<RedisProcess> {
  let server = await launchOnFreePort(options.port, () => []);
  const port = server.port;
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get running() {
      return server.running;
    },
    kill: () => server.terminate('SIGKILL'),
    stop: () => server.terminate('SIGTERM'),
    async start() {
      if (server.running) throw new Error(`redis-server on port ${port} is already running`);
      server = await launch(port, []);
    },
    pause: () => server.signal('SIGSTOP'),
    resume: () => server.signal('SIGCONT'),
  };
}

/**
 * Starts `masters` cluster-enabled redis-servers (at least 3, as `redis-cli
 * --cluster create` demands), joins them with no replicas, and resolves once
 * every node reports `cluster_state:ok` and all of them agree on who owns
 * which of the 16384 slots.
 */
export async function startRedisCluster(masters = 3): Promise<RedisCluster> {
  if (!Number.isInteger(masters) || masters < 3) throw new Error(`A Redis Cluster needs at least 3 masters, not ${masters}`);
  const servers: Server[] = [];
  const stop = async () => {
    await Promise.all(servers.map(server => server.terminate('SIGKILL')));
  };
  try {
    for (let i = 0; i < masters; i++) {
      servers.push(
        await launchOnFreePort(undefined, async () => [
          '--cluster-enabled', 'yes',
          '--cluster-config-file', 'nodes.conf',
          '--cluster-node-timeout', '2000',
          // The bus port would default to port + 10000, which may be taken or past 65535.
          '--cluster-port', String(await freePort()),
        ]),
      );
    }
    const addresses = servers.map(server => `127.0.0.1:${server.port}`);
    await execFileAsync('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], {
      timeout: 30_000,
    }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`redis-cli --cluster create failed: ${error.message}\n${error.stdout ?? ''}${error.stderr ?? ''}`);
    });
    await waitForAgreement(servers.map(server => server.port));
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes: servers.map(server => ({ host: '127.0.0.1' as const, port: server.port })), stop };
}

/** One running (or exited) redis-server process. */
interface Server {
  readonly port: number;
  readonly running: boolean;
  /** Sends the signal (SIGKILL after 5 s) and resolves once the process has exited and its dir is gone. */
  terminate(signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Stops or continues the running process. */
  signal(signal: 'SIGSTOP' | 'SIGCONT'): void;
}

/** Why a server did not come up, and whether its port was simply taken. */
class LaunchError extends Error {
  constructor(
    message: string,
    readonly portTaken: boolean,
  ) {
    super(message);
  }
}

/**
 * Launches on `port`, or on a free port when none is given; a port that another
 * process grabbed between `freePort()` and the bind is retried with a new one.
 */
async function launchOnFreePort(port: number | undefined, extra: () => string[] | Promise<string[]>): Promise<Server> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(port ?? (await freePort()), await extra());
    } catch (error) {
      if (port !== undefined || attempt >= 3 || !(error instanceof LaunchError && error.portTaken)) throw error;
    }
  }
}

/**
 * Spawns redis-server on the port with a fresh temp dir and waits until it
 * answers PING (10 s at most). A port something else listens on is refused up
 * front, so the PING can never be answered by another server.
 */
async function launch(port: number, extra: string[]): Promise<Server> {
  if (!(await isFree(port))) throw new LaunchError(`Port ${port} is already in use; not starting redis-server there`, true);
  const dir = await mkdtemp(join(tmpdir(), 'nestjs-realtime-redis-'));
  const child = spawn(
    'redis-server',
    [
      '--port', String(port),
      '--bind', '127.0.0.1',
      '--protected-mode', 'no',
      '--daemonize', 'no',
      '--dir', dir,
      '--save', '',
      '--appendonly', 'no',
      ...extra,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  live.set(child, dir);
  let output = '';
  const collect = (chunk: Buffer) => (output += chunk.toString());
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  let running = true;
  let paused = false;
  const closed = new Promise(resolve => child.once('close', resolve));
  const exited = new Promise<void>(resolve => {
    child.once('exit', () => resolve());
    child.once('error', error => {
      output += `${error.message}\n`;
      resolve();
    });
  }).then(async () => {
    running = false;
    live.delete(child);
    await rm(dir, { recursive: true, force: true });
  });

  const server: Server = {
    port,
    get running() {
      return running;
    },
    async terminate(signal) {
      if (!running) return exited;
      child.kill(signal);
      // A stopped process would not act on SIGTERM until it is continued.
      if (paused) child.kill('SIGCONT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
    signal(signal) {
      if (!running) throw new Error(`redis-server on port ${port} is not running`);
      child.kill(signal);
      paused = signal === 'SIGSTOP';
    },
  };

  const deadline = Date.now() + 10_000;
  while (running && Date.now() < deadline) {
    if (await answers(port, child.pid!)) return server;
    await delay(50);
  }
  const died = !running;
  await server.terminate('SIGKILL');
  // The last log lines may still be in the pipe when the process exits.
  await Promise.race([closed, delay(500)]);
  throw new LaunchError(
    `redis-server on port ${port} ${died ? 'exited before answering PING' : 'did not answer PING within 10 s'}:\n${output}`,
    /address already in use/i.test(output),
  );
}

/** Whether the server with this pid answers PING on the loopback port. */
async function answers(port: number, pid: number): Promise<boolean> {
  if ((await cli(port, 'PING').catch(() => '')) !== 'PONG') return false;
  return new RegExp(`^process_id:${pid}\\s*$`, 'm').test(await cli(port, 'INFO', 'server').catch(() => ''));
}

/** Whether nothing listens on the loopback port (checked by binding it, without connecting to anyone). */
async function isFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise(resolve => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Runs one command with `redis-cli` against a loopback port and returns its trimmed output. */
async function cli(port: number, ...command: string[]): Promise<string> {
  const { stdout } = await execFileAsync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...command], { timeout: 5000 });
  return stdout.trim();
}

/**
 * Polls every node (20 s at most) until each reports `cluster_state:ok` with
 * all slots assigned, and all of them report the same slot owners.
 */
async function waitForAgreement(ports: number[]): Promise<void> {
  const deadline = Date.now() + 20_000;
  let views: string[] = [];
  while (Date.now() < deadline) {
    views = await Promise.all(
      ports.map(async port => {
        const info = await cli(port, 'CLUSTER', 'INFO').catch(String);
        if (!/^cluster_state:ok\s*$/m.test(info) || !/^cluster_slots_assigned:16384\s*$/m.test(info)) {
          return `127.0.0.1:${port} not ok yet:\n${info}`;
        }
        return slotOwners(await cli(port, 'CLUSTER', 'NODES').catch(String));
      }),
    );
    const owners = views[0]!.split('\n').map(line => line.split(' ')[0]);
    const everyMaster = ports.every(port => owners.includes(`127.0.0.1:${port}`));
    if (everyMaster && views.every(view => view === views[0])) return;
    await delay(100);
  }
  throw new Error(`The cluster on ports ${ports.join(', ')} did not settle within 20 s:\n${views.join('\n---\n')}`);
}

/** The `address slots` lines of a `CLUSTER NODES` reply, for nodes that own slots, in a stable order. */
function slotOwners(nodes: string): string {
  return nodes
    .split('\n')
    .map(line => line.trim().split(' '))
    .map(([, address, , , , , , , ...slots]) => {
      const owned = slots.filter(slot => !slot.startsWith('['));
      return owned.length === 0 ? '' : `${address!.split('@')[0]} ${owned.join(',')}`;
    })
    .filter(line => line !== '')
    .sort()
    .join('\n');
}
