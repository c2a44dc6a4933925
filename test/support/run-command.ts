import { spawn } from 'node:child_process';
import { killOnExit } from './on-exit.js';

/** How a command ended, what it wrote, and how long it took. */
export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface CommandOptions {
  cwd?: string;
  /** The whole environment of the command (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /**
   * SIGKILLs a command that runs longer, so a hung install fails the test
   * instead of stalling the run (default 5 minutes). Not an assertion: a slow
   * machine only gets closer to it.
   */
  killAfterMs?: number;
}

/** Runs a command to its end and resolves with how it ended, whatever its exit code. */
export function runCommand(command: string, args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  const started = performance.now();
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  killOnExit(child); // an aborted test leaves no `npm install` or `tsc` behind
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => {
    stderr += `\n(killed after ${options.killAfterMs ?? 300_000} ms)\n`;
    child.kill('SIGKILL');
  }, options.killAfterMs ?? 300_000);
  return new Promise(resolve => {
    const done = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Math.round(performance.now() - started) });
    };
    child.once('error', error => {
      stderr += `${error.message}\n`;
      done(null, null);
    });
    // 'close' rather than 'exit': by then stdout and stderr are fully read.
    child.once('close', done);
  });
}

/** Runs a command and rejects, with the command line and all it wrote, unless it exits 0. */
export async function runChecked(command: string, args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  const result = await runCommand(command, args, options);
  if (result.code !== 0) {
    const how = result.signal ? `was killed by ${result.signal}` : `exited with ${result.code}`;
    throw new Error(
      `\`${[command, ...args].join(' ')}\` (in ${options.cwd ?? process.cwd()}) ${how}:\n${result.stdout}${result.stderr}`,
    );
  }
  return result;
}
