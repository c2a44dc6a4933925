/**
 * pakyow's Ring client (`pakyow.js` 0.2.x, `pw.socket` / `pw_Socket`) as it
 * behaves in a browser, rebuilt for Node on the `ws` package, to drive our
 * server the way a pakyow page does. Written from the behaviour described in
 * /work/shared/reference/seed-protocols.md §1.7 (not a copy of pakyow.js):
 *
 * - the connection id is read from `<body data-socket-connection-id>`; without
 *   one the client does not connect;
 * - the URL is `ws://` or `wss://` (from `location.protocol`) + hostname +
 *   `:port` when there is one + `/?socket_connection_id=<id>`, and the socket
 *   keeps `id` = whatever follows `socket_connection_id=` in that URL;
 * - `send(message, cb)` sets `message.id` to a fresh v4-style UUID, makes sure
 *   `message.input` exists, sets `message.input.socket_connection_id`, stores
 *   `cb` under the id (never deleted) and sends the JSON;
 * - an incoming frame whose `id` has a stored callback goes to that callback;
 *   every other frame is a channel push: `component:*` channels go to the
 *   page's components, any other channel to the elements with
 *   `data-channel="<channel>"` (none: ignored);
 * - every 30 000 ms after open it sends `{action: 'ping'}` (through `send`,
 *   with no callback); the timer is cleared on close;
 * - on close it waits (100 ms, ×1.25 per retry *of the same socket object*)
 *   and runs `pw.socket.init` again: a new socket object, with the connection
 *   id read again from `<body>`, so the same id. Nothing is re-subscribed.
 *
 * The page around it (location, `<body>` attributes, `[data-channel]`
 * elements, components, the cookie jar) is modelled by `RingWindow`. What a
 * browser does implicitly is made explicit: it sends the page's cookies and
 * `Origin` with the upgrade, and an exception thrown by an event handler is
 * reported (here: recorded in `errors`) without stopping anything.
 */
import { randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';

/** A frame as Ring parses it (`JSON.parse(evt.data)`). */
export type RingPacket = Record<string, any>;

/** What a `[data-channel]` element does with a push (pakyow's view instructions). */
export type ChannelNode = (packet: RingPacket, socket: RingSocket) => void;

/** The page a Ring client runs in. */
export interface RingWindowOptions {
  /** The page's URL: `window.location`. */
  url: string;
  /** The page's HTML as the server sent it: `<body>`'s attributes come from here. */
  html: string;
  /** The browser's cookies for the page's origin, as a `Cookie` header value. */
  cookie?: string;
  /** Keepalive ping period. pakyow.js: 30 000 ms. */
  keepaliveMs?: number;
  /** First reconnect wait. pakyow.js: 100 ms. */
  reconnectWaitMs?: number;
}

/** `pw.util.guid()`: `xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`, x random hex, y one of 8, 9, a, b. */
export function guid(): string {
  const bytes = randomBytes(16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/**
 * `document.getElementsByTagName('body')[0].getAttribute(name)` for a page as
 * served: the first `<body>` start tag, attribute names case-insensitive, the
 * first of duplicate attributes wins, values double-, single- or unquoted with
 * character references decoded; `null` when the tag or attribute is missing.
 */
export function bodyAttribute(html: string, name: string): string | null {
  const start = /<body(?=[\s/>])/i.exec(html);
  if (!start) return null;
  let at = start.index + start[0].length;
  const wanted = name.toLowerCase();
  const seen = new Set<string>();
  while (at < html.length) {
    while (at < html.length && /[\s/]/.test(html[at]!)) at += 1;
    if (at >= html.length || html[at] === '>') return null;
    const nameMatch = /^[^\s/>=][^\s/>=]*/.exec(html.slice(at));
    const attr = (nameMatch ? nameMatch[0] : html[at]!).toLowerCase();
    at += nameMatch ? nameMatch[0].length : 1;
    while (at < html.length && /\s/.test(html[at]!)) at += 1;
    let value = '';
    if (html[at] === '=') {
      at += 1;
      while (at < html.length && /\s/.test(html[at]!)) at += 1;
      const quote = html[at];
      if (quote === '"' || quote === "'") {
        const end = html.indexOf(quote, at + 1);
        const stop = end === -1 ? html.length : end;
        value = html.slice(at + 1, stop);
        at = stop + 1;
      } else {
        const raw = /^[^\s>]*/.exec(html.slice(at))![0];
        value = raw;
        at += raw.length;
      }
    }
    if (seen.has(attr)) continue;
    seen.add(attr);
    if (attr === wanted) return decodeEntities(value);
  }
  return null;
}

/** `window.location` parts for a URL, as a browser exposes them. */
export function locationOf(url: string): { protocol: string; hostname: string; port: string; origin: string } {
  const parsed = new URL(url);
  return { protocol: parsed.protocol, hostname: parsed.hostname, port: parsed.port, origin: parsed.origin };
}

/**
 * The WebSocket URL exactly as the snippet in pakyow-realtime's README and
 * guide builds it (and as `pw.socket.connect` does with its defaults).
 */
export function snippetUrl(location: { protocol: string; hostname: string; port: string }, conn: string | null): string {
  let wsUrl = '';
  const host = location.hostname;
  const port = location.port;
  if (location.protocol === 'http:') {
    wsUrl += 'ws://';
  } else if (location.protocol === 'https:') {
    wsUrl += 'wss://';
  }
  wsUrl += host;
  if (port) {
    wsUrl += ':' + port;
  }
  // String concatenation, as in the snippet: a missing attribute gives "null".
  wsUrl += '/?socket_connection_id=' + conn;
  return wsUrl;
}

/** A browser tab with a pakyow page loaded in it, and `pw` running. */
export class RingWindow {
  readonly location: { protocol: string; hostname: string; port: string; origin: string };
  /** `window.socket`, set by the socket's init callback (pakyow.js's `pw.init` block). */
  socket: RingSocket | undefined;
  /** Every socket object pw made on this page, oldest first. */
  readonly sockets: RingSocket[] = [];
  /** Exceptions thrown by event handlers: a browser reports them and carries on. */
  readonly errors: unknown[] = [];
  /** `pw.component.broadcast(name, ...)` calls, in order. */
  readonly broadcasts: string[] = [];
  /** Packets handed to `pw.component.push` (channels named `component:*`). */
  readonly componentPushes: RingPacket[] = [];
  readonly keepaliveMs: number;
  readonly reconnectWaitMs: number;
  private readonly channelNodes = new Map<string, ChannelNode[]>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly listeners = new Set<() => void>();
  private unloaded = false;

  constructor(private readonly options: RingWindowOptions) {
    this.location = locationOf(options.url);
    this.keepaliveMs = options.keepaliveMs ?? 30_000;
    this.reconnectWaitMs = options.reconnectWaitMs ?? 100;
  }

  get cookie(): string | undefined {
    return this.options.cookie;
  }

  /** `document.getElementsByTagName('body')[0].getAttribute(name)`. */
  bodyAttribute(name: string): string | null {
    return bodyAttribute(this.options.html, name);
  }

  /** Puts an element with `data-channel="<channel>"` on the page; `node` is what pakyow's instructions do to it. */
  addChannelNode(channel: string, node: ChannelNode): void {
    const nodes = this.channelNodes.get(channel) ?? [];
    nodes.push(node);
    this.channelNodes.set(channel, nodes);
  }

  /** `document.querySelectorAll('*[data-channel="<channel>"]')`. */
  nodesFor(channel: string): ChannelNode[] {
    return this.channelNodes.get(channel) ?? [];
  }

  /** DOMContentLoaded: pakyow.js's init block opens the socket and exposes it as `window.socket`. */
  start(): RingSocket | undefined {
    return this.init({
      cb: socket => {
        this.socket = socket;
        this.broadcast('socket:available');
      },
    });
  }

  /** `pw.socket.init(options)`. */
  init(options: { host?: string; port?: string; protocol?: string; connId?: string; cb?: (socket: RingSocket) => void }): RingSocket | undefined {
    return this.connect(options.host, options.port, options.protocol, options.connId, options.cb);
  }

  /** `pw.socket.connect(host, port, protocol, connId, cb)`: defaults from the page. */
  connect(host?: string, port?: string, protocol?: string, connId?: string | null, cb?: (socket: RingSocket) => void): RingSocket | undefined {
    if (this.unloaded) return undefined;
    if (host === undefined) host = this.location.hostname;
    if (port === undefined) port = this.location.port;
    if (protocol === undefined) protocol = this.location.protocol;
    if (connId === undefined) connId = this.bodyAttribute('data-socket-connection-id');
    if (!connId) return undefined;
    const socket = new RingSocket(this, snippetUrl({ protocol, hostname: host, port }, connId), cb);
    this.sockets.push(socket);
    return socket;
  }

  broadcast(name: string): void {
    this.broadcasts.push(name);
  }

  /** Runs an event handler the way a browser does: a throw is reported, not fatal. */
  guard(handler: () => void): void {
    try {
      handler();
    } catch (error) {
      this.errors.push(error);
    }
  }

  setTimeout(fn: () => void, ms: number): void {
    if (this.unloaded) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.guard(fn);
    }, ms);
    this.timers.add(timer);
  }

  setInterval(fn: () => void, ms: number): NodeJS.Timeout | undefined {
    if (this.unloaded) return undefined;
    const timer = setInterval(() => this.guard(fn), ms);
    this.timers.add(timer);
    return timer;
  }

  clearInterval(timer: NodeJS.Timeout | undefined): void {
    if (timer === undefined) return;
    clearInterval(timer);
    this.timers.delete(timer);
  }

  /** Test observation only: resolves once `test()` holds, re-checked on every socket event of this page. */
  until<T>(test: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
    return waitUntil(this.listeners, test, what, timeoutMs);
  }

  /** Called by the page's sockets whenever something happened. */
  notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  /** Closing the tab: timers stop, sockets go, nothing reconnects. */
  unload(): void {
    this.unloaded = true;
    for (const timer of this.timers) {
      clearTimeout(timer);
      clearInterval(timer);
    }
    this.timers.clear();
    for (const socket of this.sockets) socket.ws.terminate();
  }
}

/** `pw_Socket`: one WebSocket of a Ring page. */
export class RingSocket {
  /** `this.callbacks`: reply callbacks by message id, never removed. */
  readonly callbacks: Record<string, ((packet: RingPacket) => void) | undefined> = {};
  readonly url: string;
  /** The connection id: the part of the URL after `socket_connection_id=`. */
  readonly id: string | undefined;
  readonly ws: WebSocket;
  /** Every frame received, parsed, in order (what the devtools' network panel would show). */
  readonly received: RingPacket[] = [];
  /** Every frame sent, parsed, in order. */
  readonly sent: RingPacket[] = [];
  /** Packets that reached `message()` (no stored callback for their id). */
  readonly pushes: RingPacket[] = [];
  /** `this.wait`: grows ×1.25 per reconnect of this object. */
  wait: number | undefined;
  /** Test observation: the socket fired open / close. */
  opened = false;
  closed = false;
  constructor(
    readonly window: RingWindow,
    url: string,
    readonly initCb: ((socket: RingSocket) => void) | undefined,
  ) {
    this.url = url;
    // The browser sends the page's cookies and its Origin with the upgrade.
    const headers: Record<string, string> = { origin: window.location.origin };
    if (window.cookie) headers.cookie = window.cookie;
    this.ws = new WebSocket(url, { headers });
    this.id = url.split('socket_connection_id=')[1];

    let pingInterval: NodeJS.Timeout | undefined;

    this.ws.onmessage = evt => {
      window.guard(() => {
        window.broadcast('socket:loaded');
        const data = JSON.parse(String(evt.data)) as RingPacket;
        this.received.push(data);
        if (data.id) {
          const cb = this.callbacks[data.id];
          if (cb) {
            cb.call(this, data);
            return;
          }
        }
        this.message(data);
      });
      this.notify();
    };

    this.ws.onclose = () =>
      window.guard(() => {
        window.clearInterval(pingInterval);
        this.closed = true;
        this.notify();
        this.reconnect();
      });

    this.ws.onopen = () =>
      window.guard(() => {
        this.opened = true;
        this.notify();
        if (this.initCb) this.initCb(this);
        pingInterval = window.setInterval(() => this.send({ action: 'ping' }), window.keepaliveMs);
      });

    // A browser reports a failed connection as an error event, then close.
    this.ws.onerror = () => undefined;
  }

  /** `pw_Socket.prototype.send`. */
  send(message: Record<string, any>, cb?: (packet: RingPacket) => void): void {
    this.window.broadcast('socket:loading');
    message.id = guid();
    if (!message.input) {
      message.input = {};
    }
    message.input.socket_connection_id = this.id;
    this.callbacks[message.id] = cb;
    const text = JSON.stringify(message);
    this.ws.send(text);
    this.sent.push(JSON.parse(text) as RingPacket);
    this.notify();
  }

  /** `pw_Socket.prototype.message`: a frame without a callback is a channel push. */
  message(packet: RingPacket): void {
    this.pushes.push(packet);
    if (packet.channel && String(packet.channel).split(':')[0] === 'component') {
      this.window.componentPushes.push(packet);
      return;
    }
    const nodes = this.window.nodesFor(String(packet.channel));
    if (nodes.length === 0) {
      return;
    }
    for (const node of nodes) node(packet, this);
  }

  /** `pw_Socket.prototype.reconnect`. */
  reconnect(): void {
    if (!this.wait) {
      this.wait = this.window.reconnectWaitMs;
    } else {
      this.wait *= 1.25;
    }
    this.window.setTimeout(() => {
      this.window.init({ cb: this.initCb });
    }, this.wait);
  }

  private notify(): void {
    this.window.notify();
  }
}

/** Resolves with the first truthy `test()`, re-checked whenever a listener in `set` is called. */
export function waitUntil<T>(set: Set<() => void>, test: () => T | undefined | false, what: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const check = () => {
      let value: T | undefined | false;
      try {
        value = test();
      } catch (error) {
        done();
        reject(error);
        return;
      }
      if (value) {
        done();
        resolve(value);
      }
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`Gave up waiting for ${what}`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      set.delete(check);
    };
    set.add(check);
    check();
  });
}
