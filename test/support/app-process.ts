import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { killOnExit } from './on-exit.js';

/** How a child process ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** An app running in its own Node process, listening on a loopback port. */
export interface AppProcess {
  /** The process id, to read its memory from /proc. */
  readonly pid: number;
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly http: string;
  /** `ws://127.0.0.1:<port>/` */
  readonly ws: string;
  /** SIGTERMs the process (SIGKILL after 5 s) and resolves with how it exited. */
  stop(): Promise<Exit>;
  /** SIGKILLs the process, as a crash would; resolves once it has exited. */
  kill(): Promise<void>;
  /** Everything the process wrote to stderr so far, for assertion messages. */
  output(): string;
}

/**
 * Runs a compiled entry file (e.g. `.build/test/fixtures/main.js`) with
 * `env` over this process's environment, in `options.cwd` (default: this
 * process's), with `options.nodeArgs` before the entry (`--expose-gc`), and resolves once it prints its `{"port": n}` line on stdout
 * (15 s at most).
 */
export async function startAppProcess(
  entry: string,
  env: Record<string, string> = {},
  options: { cwd?: string; nodeArgs?: string[] } = {},
): Promise<AppProcess> {
  const child = spawn(process.execPath, ['--enable-source-maps', ...(options.nodeArgs ?? []), entry], {
    cwd: options.cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  killOnExit(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let exit: Exit | undefined;
  const closed = new Promise(resolve => child.once('close', resolve));
  const exited = new Promise<Exit>(resolve => {
    child.once('exit', (code, signal) => resolve((exit = { code, signal })));
    child.once('error', error => {
      stderr += `${error.message}\n`;
      resolve((exit = { code: null, signal: null }));
    });
  });

  const terminate = async (signal: 'SIGTERM' | 'SIGKILL'): Promise<Exit> => {
    if (exit) return exit;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    const result = await exited;
    clearTimeout(timer);
    return result;
  };

  let giveUp: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>(resolve => (giveUp = setTimeout(resolve, 15_000, null)));
  const port = await Promise.race([portLine(child), exited.then(() => undefined), timeout]);
  clearTimeout(giveUp);
  if (typeof port !== 'number') {
    // NOTE: stdout may close a moment before the exit event, so the exit is read after terminate().
    const result = await terminate('SIGKILL');
    const reason = port === null ? 'printed no {"port": n} line within 15 s' : `exited first (${JSON.stringify(result)})`;
    // The last of stderr may still be in the pipe when the process exits.
    await Promise.race([closed, delay(500)]);
    throw new Error(`App process ${entry} ${reason}; stderr:\n${stderr}`);
  }
  return {
    pid: child.pid!,
    port,
    http: `http://127.0.0.1:${port}`,
    ws: `ws://127.0.0.1:${port}/`,
    stop: () => terminate('SIGTERM'),
    kill: async () => void (await terminate('SIGKILL')),
    output: () => stderr,
  };
}

/** The port from the first stdout line that is JSON with a numeric `port`; stdout keeps draining after it. */
function portLine(child: ChildProcess): Promise<number | undefined> {
  return new Promise(resolve => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', line => {
      try {
        const { port } = JSON.parse(line) as { port?: unknown };
        if (typeof port === 'number') resolve(port);
      } catch {
        // Not the port line: some other output.
      }
    });
    lines.once('close', () => resolve(undefined));
  });
}
