import { EventSource } from 'eventsource';
import { nodeFetch } from './node-fetch.js';
import { until } from './until.js';
import type { Frame } from './ws-client.js';

/**
 * The `eventsource` package's client on the server's event stream, as a page
 * would open it (its id in the URL, its cookie and `headers` on the request),
 * recording every frame, `close` event and error.
 */
export class EventSourceClient {
  readonly frames: Frame[] = [];
  readonly closeEvents: Array<{ code: number; reason: string }> = [];
  readonly errors: Array<{ code?: number; message?: string }> = [];
  /** `lastEventId` of each message, in order. */
  readonly ids: string[] = [];
  readonly source: EventSource;

  constructor(url: string, headers: Record<string, string> = {}) {
    this.source = new EventSource(url, {
      fetch: (input, init) => nodeFetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers } }),
    });
    this.source.onmessage = event => {
      this.ids.push(event.lastEventId);
      this.frames.push(JSON.parse(event.data) as Frame);
    };
    this.source.addEventListener('close', event => this.closeEvents.push(JSON.parse((event as MessageEvent).data)));
    this.source.onerror = event => this.errors.push({ code: (event as { code?: number }).code, message: (event as { message?: string }).message });
  }

  /** Opens the stream of a page (`?socket_connection_id=<id>`, its cookie) and waits for `Welcome`. */
  static async page(
    server: { http: string },
    page: { connectionId: string; cookie?: string },
    headers: Record<string, string> = {},
    path = '/',
  ): Promise<EventSourceClient> {
    const client = new EventSourceClient(
      `${server.http}${path}?socket_connection_id=${page.connectionId}`,
      page.cookie === undefined ? headers : { cookie: page.cookie, ...headers },
    );
    await client.next(frame => frame.event === 'Welcome');
    return client;
  }

  get welcome(): Frame {
    const frame = this.frames.find(candidate => candidate.event === 'Welcome');
    if (!frame) throw new Error('No Welcome yet');
    return frame;
  }

  /** The first frame (already received or still to come) that passes the test. */
  next(test: (frame: Frame) => boolean, what = 'a matching frame'): Promise<Frame> {
    return until(() => this.frames.find(test), `${what}; got ${JSON.stringify(this.frames).slice(0, 1000)}`);
  }

  close(): void {
    this.source.close();
  }
}
