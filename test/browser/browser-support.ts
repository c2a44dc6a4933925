import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Locator, type Page } from 'playwright-core';
import { startAppProcess, type AppProcess } from '../support/app-process.js';
import type { Platform } from '../support/test-app.js';

/** Debian's chromium, never a downloaded browser. */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** How long a visible outcome may take to appear before a test fails (a ceiling, not a measurement). */
export const WAIT_MS = 20_000;

/** Launches Debian's Chromium, headless. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** A browser and the contexts (profiles of their own, each a signed-in user) opened in it, closed together. */
export class SignedInBrowser {
  private readonly contexts: BrowserContext[] = [];

  private constructor(
    private readonly browser: Browser,
    private readonly options: BrowserContextOptions,
  ) {}

  /** Launches Chromium; every context opened in it gets `options`. */
  static async launch(options: BrowserContextOptions = {}): Promise<SignedInBrowser> {
    return new SignedInBrowser(await launchBrowser(), options);
  }

  /** A new context, signed in as `user` on the sample at `base`. */
  async signedIn(base: string, user: string): Promise<BrowserContext> {
    const context = await this.browser.newContext(this.options);
    this.contexts.push(context);
    await signIn(context, base, user);
    return context;
  }

  /** Closes every context, then the browser. */
  async close(): Promise<void> {
    for (const context of this.contexts) await context.close().catch(() => undefined);
    await this.browser.close();
  }
}

/** The compiled sample, next to this compiled test (`<out>/test/browser` → `<out>/sample/src/main.js`). */
const SAMPLE_ENTRY = fileURLToPath(new URL('../../sample/src/main.js', import.meta.url));

/** The same secret across restarts, so cookies and session tokens stay valid. */
const SECRET = 'browser-tests-secret-0123456789';

/** Starts the sample in its own process, on `port` (0: any free one), on Express or Fastify. */
export function startSample(port = 0, platform: Platform = 'express'): Promise<AppProcess> {
  return startAppProcess(SAMPLE_ENTRY, {
    PLATFORM: platform,
    PORT: String(port),
    PRINT_PORT_JSON: '1',
    REALTIME_SECRET: SECRET,
    REDIS_URL: '',
  });
}

/** A session token for `user`, for HTTP calls made by the test itself. */
export async function apiToken(base: string, user: string): Promise<string> {
  const response = await fetch(`${base}/signin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user }),
  });
  if (!response.ok) throw new Error(`sign-in as ${user}: ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}

/** `POST <path>` with JSON, as `token`'s user; resolves once the server answered (the push is out). */
export async function postJson(base: string, token: string, path: string, body: unknown): Promise<Response> {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
  return response;
}

/** Signs a browser context in through the sign-in page, as a person would. */
async function signIn(context: BrowserContext, base: string, user: string): Promise<void> {
  const page = await context.newPage();
  try {
    await page.goto(`${base}/signin?next=/widgets`);
    await page.click(`button[name="user"][value="${user}"]`);
    await page.waitForURL(`${base}/widgets`, { timeout: WAIT_MS });
  } finally {
    await page.close();
  }
}

/** Every JSON frame a page's WebSockets received, in order. Call before the page navigates. */
export function recordFrames(page: Page): Array<Record<string, any>> {
  const frames: Array<Record<string, any>> = [];
  page.on('websocket', socket => {
    socket.on('framereceived', ({ payload }) => {
      try {
        frames.push(JSON.parse(String(payload)) as Record<string, any>);
      } catch {
        frames.push({ unparsed: String(payload) });
      }
    });
  });
  return frames;
}

/** Waits until the header says the page's socket is live (connected and signed in). */
export async function waitForLive(page: Page): Promise<void> {
  await page.locator('#realtime-status[data-state="live"]').waitFor({ timeout: WAIT_MS });
}

/** Opens a room in a new page of a signed-in context, and waits until it is live. */
export async function openRoom(context: BrowserContext, base: string, room: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${base}/rooms/${room}`);
  await waitForLive(page);
  return page;
}

/** The delivered (not pending) messages of a page whose text contains `text`. */
export function messageWith(page: Page, text: string): Locator {
  return page.locator('#messages .message[data-id]').filter({ has: page.locator('.message-text', { hasText: text }) });
}

/** Types a message into the composer and sends it (SendMessage over the socket); waits until the server confirmed it. */
export async function sendFromComposer(page: Page, text: string): Promise<void> {
  await page.fill('#message-text', text);
  await page.press('#message-text', 'Enter');
  await messageWith(page, text).waitFor({ timeout: WAIT_MS });
}

/** A unique bit of text, so a test only ever matches its own messages. */
export function unique(label: string): string {
  return `${label} ${Math.random().toString(36).slice(2, 8)}`;
}
