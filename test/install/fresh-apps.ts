import { existsSync, readFileSync, rmSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onProcessExit } from '../support/on-exit.js';
import { runChecked, runCommand } from '../support/run-command.js';

/** The project root: `npm test` runs the specs from there. */
const PROJECT = process.cwd();
/** The fresh app's sources (see its README.md). */
const TEMPLATE = join(PROJECT, 'test', 'install', 'app');
const NPM_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund'];

/**
 * The version of a package in the project's own node_modules (what its
 * package-lock pins), so fresh apps run against exactly what the other tests
 * ran with, and npm finds every tarball in the cache `npm ci` filled.
 */
export function projectVersion(name: string): string {
  const manifest = JSON.parse(readFileSync(join(PROJECT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

/**
 * This process's environment without what `npm test` set for its own script.
 *
 * NOTE: under `npm test`, npm exports the project's `npm_package_*` fields,
 * its `npm_config_local_prefix` and lifecycle variables. An npm started in a
 * fresh app must see that app, not the project, so those go; the user's own
 * npm settings (cache, registry, userconfig) stay.
 */
export function npmEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^npm_(package_|lifecycle_|command$|config_local_prefix$)/i.test(key) || key === 'INIT_CWD') delete env[key];
  }
  return env;
}

/**
 * The packages of the README's `npm install` lines: the one with
 * `nestjs-realtime` (without it: the tarball stands in), and the one whose
 * comment mentions Redis. Read at test time, so the fresh apps install what
 * the README says today.
 */
export function readmeInstalls(): { base: string[]; redis: string[] } {
  const lines = [...readFileSync(join(PROJECT, 'README.md'), 'utf8').matchAll(/^npm install ([^#\n]+?)\s*(#.*)?$/gm)];
  const words = (line: RegExpMatchArray) => line[1]!.trim().split(/\s+/);
  const base = lines.find(line => words(line).includes('nestjs-realtime'));
  const redis = lines.find(line => /redis/i.test(line[2] ?? ''));
  if (!base || !redis) {
    throw new Error('README.md lacks an `npm install nestjs-realtime ...` line, or an `npm install ...` line commented for Redis');
  }
  return { base: words(base).filter(pkg => pkg !== 'nestjs-realtime'), redis: words(redis) };
}

/** How to make one fresh app. */
export interface AppSpec {
  /** Packages npm installs, at the project's versions (the tarball is always added). */
  packages: readonly string[];
  /** Directories of `overlays/` copied into the app's `src/`. */
  overlays: readonly string[];
  /** Start from a copy of this app (installed first) and only add `packages`. */
  extends?: string;
}

/** A fresh app's dir once npm installed it, and what that took. */
interface Installed {
  dir: string;
  installMs: number;
}

/** A fresh app, installed and compiled. */
export interface FreshApp {
  readonly name: string;
  readonly dir: string;
  /** `dist/main.js`, absolute. */
  readonly entry: string;
  /** What `npm install` took for this app (for an extending app: copying its base and adding its packages). */
  readonly installMs: number;
  readonly compileMs: number;
  /** Whether npm installed this package in the app (at its top level). */
  has(pkg: string): boolean;
}

/**
 * Packs the project once and makes fresh apps from the tarball in one temp
 * dir: each app's own `npm install`, then the project's `tsc` on its sources.
 * Apps with no `extends` install in parallel; an extending app starts from a
 * copy of its base (node_modules and lockfile), so each dependency set is
 * installed once per run.
 */
export class FreshApps {
  private root: string | undefined;
  private packMs = 0;
  private readonly apps = new Map<string, Promise<FreshApp>>();

  /** Packs the project and starts making every app; resolves once packed. */
  async prepare(specs: Record<string, AppSpec>): Promise<void> {
    if (!existsSync(join(PROJECT, 'dist', 'index.js'))) {
      throw new Error('dist/ is missing: build first (`npm test` runs `npm run build` before the specs).');
    }
    const root = await mkdtemp(join(tmpdir(), 'nestjs-realtime-install-'));
    this.root = root;
    onProcessExit(() => rmSync(root, { recursive: true, force: true }));
    // NOTE: --ignore-scripts, so that a prepack or prepare script never
    // rebuilds dist/ here: the specs test the build `npm test` already made.
    const packed = await runChecked('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', root], {
      cwd: PROJECT,
      env: npmEnv(),
    });
    this.packMs = packed.ms;
    const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
    const tarball = join(root, filename);
    // An extending app copies its base as soon as the base is installed,
    // while the base compiles.
    const installs = new Map<string, Promise<Installed>>();
    const install = (name: string): Promise<Installed> => {
      const known = installs.get(name);
      if (known) return known;
      const spec = specs[name];
      if (!spec) throw new Error(`No fresh app named ${name}`);
      const installed = spec.extends
        ? install(spec.extends).then(base => this.extend(base, name, spec))
        : this.install(name, tarball, spec);
      installs.set(name, installed);
      const made = installed.then(done => this.compile(name, spec, done));
      // A failure is reported by the tests that await this app, not as an unhandled rejection.
      made.catch(() => {});
      this.apps.set(name, made);
      return installed;
    };
    for (const name of Object.keys(specs)) install(name).catch(() => {});
  }

  /** The app, once installed and compiled; rejects with npm's or tsc's output. */
  get(name: string): Promise<FreshApp> {
    const app = this.apps.get(name);
    if (!app) throw new Error(`No fresh app named ${name}: prepare() it first`);
    return app;
  }

  /** Pack, install and compile times, for the test log. */
  async timings(): Promise<string[]> {
    const lines = [`npm pack: ${this.packMs} ms`];
    for (const [name, app] of this.apps) {
      const made = await app.catch(() => undefined);
      lines.push(made ? `${name}: npm install ${made.installMs} ms, tsc ${made.compileMs} ms` : `${name}: failed`);
    }
    return lines;
  }

  /** Waits for installs still running, then removes the temp dir. */
  async remove(): Promise<void> {
    await Promise.allSettled(this.apps.values());
    if (this.root) await rm(this.root, { recursive: true, force: true });
  }

  private async install(name: string, tarball: string, spec: AppSpec): Promise<Installed> {
    const dir = join(this.root!, name);
    await mkdir(dir);
    const dependencies: Record<string, string> = { 'nestjs-realtime': `file:${tarball}` };
    for (const pkg of spec.packages) dependencies[pkg] = projectVersion(pkg);
    const manifest = {
      name: `fresh-${name}-app`,
      private: true,
      type: 'module',
      dependencies,
      // A TypeScript app has Node's types; the project's tsc compiles it.
      devDependencies: { '@types/node': projectVersion('@types/node') },
    };
    await writeFile(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const installed = await runChecked('npm', ['install', ...NPM_FLAGS], { cwd: dir, env: npmEnv() });
    return { dir, installMs: installed.ms };
  }

  private async extend(base: Installed, name: string, spec: AppSpec): Promise<Installed> {
    const started = performance.now();
    const dir = join(this.root!, name);
    await mkdir(dir);
    // NOTE: the installed part only, while the base compiles. `cp -a` keeps
    // node_modules/.bin's relative links, and copies its 5000 files in a
    // fraction of the time fs.cp takes.
    const installed = ['node_modules', 'package.json', 'package-lock.json'].map(entry => join(base.dir, entry));
    await runChecked('cp', ['-a', ...installed, dir]);
    const packages = spec.packages.map(pkg => `${pkg}@${projectVersion(pkg)}`);
    await runChecked('npm', ['install', ...NPM_FLAGS, ...packages], { cwd: dir, env: npmEnv() });
    return { dir, installMs: Math.round(performance.now() - started) };
  }

  /** Copies the sources and the spec's overlays in, and compiles them with the project's tsc. */
  private async compile(name: string, spec: AppSpec, { dir, installMs }: Installed): Promise<FreshApp> {
    await cp(join(TEMPLATE, 'tsconfig.json'), join(dir, 'tsconfig.json'));
    await cp(join(TEMPLATE, 'src'), join(dir, 'src'), { recursive: true });
    for (const overlay of spec.overlays) await cp(join(TEMPLATE, 'overlays', overlay), join(dir, 'src'), { recursive: true });
    const tsc = join(PROJECT, 'node_modules', '.bin', 'tsc');
    const compiled = await runChecked(tsc, ['-p', join(dir, 'tsconfig.json')], { cwd: dir });
    // NOTE: the app compiles with skipLibCheck, as Nest's own starter does, and
    // then an unresolvable import in the package's .d.ts (a type from a peer
    // the app did not install) silently becomes `any`. So the package's own
    // declarations are checked too; other packages' are not ours to judge
    // (@nestjs/platform-express's, for one, need @types/express).
    const checked = await runCommand(tsc, ['-p', join(dir, 'tsconfig.json'), '--noEmit', '--skipLibCheck', 'false'], { cwd: dir });
    const ours = checked.stdout.split('\n').filter(line => line.startsWith('node_modules/nestjs-realtime/'));
    if (ours.length > 0) throw new Error(`The installed package's declarations do not compile in the ${name} app:\n${ours.join('\n')}`);
    return {
      name,
      dir,
      entry: join(dir, 'dist', 'main.js'),
      installMs,
      compileMs: compiled.ms + checked.ms,
      has: pkg => existsSync(join(dir, 'node_modules', pkg, 'package.json')),
    };
  }
}
