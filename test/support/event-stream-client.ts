import { nodeFetch } from './node-fetch.js';
import type { Frame } from './ws-client.js';

/** One server-sent event as parsed: its fields, and its data as a frame when it is JSON. */
export interface StreamEvent {
  event: string;
  id: string | undefined;
  data: string;
  frame: Frame | undefined;
}

/**
 * A raw reader of the server's event stream (a request and a line parser, no
 * EventSource), for what an EventSource hides: the `retry:` field, comment
 * lines, every `id:`, and the end of the response. Never reconnects.
 */
export class RawEventStream {
  readonly events: StreamEvent[] = [];
  readonly comments: string[] = [];
  retry: number | undefined;
  /** Everything received, as text. */
  text = '';
  /** Resolves when the response ends (or breaks off). */
  readonly ended: Promise<void>;
  private waiters: Array<() => void> = [];
  private readonly abort = new AbortController();

  private constructor(readonly response: Response) {
    this.ended = this.read().finally(() => this.wake());
  }

  /** `GET url` with `Accept: text/event-stream` and `headers`; resolves once the head arrived. */
  static async open(url: string, headers: Record<string, string> = {}): Promise<RawEventStream> {
    const abort = new AbortController();
    const response = await nodeFetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
    const stream = new RawEventStream(response);
    stream.abort.signal.addEventListener('abort', () => abort.abort());
    return stream;
  }

  get status(): number {
    return this.response.status;
  }

  /** The frames of the unnamed events, in order. */
  get frames(): Frame[] {
    return this.events.filter(event => event.event === 'message' && event.frame).map(event => event.frame!);
  }

  /** The stream's `close` event, once it came. */
  get closeEvent(): { code: number; reason: string } | undefined {
    const event = this.events.find(candidate => candidate.event === 'close');
    return event && (JSON.parse(event.data) as { code: number; reason: string });
  }

  /** Resolves with the first thing `find` returns for the stream so far; fails, quoting the stream, after `timeoutMs`. */
  async until<T>(find: (stream: this) => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find(this);
      if (found !== undefined && found !== false) return found;
      if (Date.now() > deadline) throw new Error(`Never happened: ${what}; the stream held ${JSON.stringify(this.text.slice(0, 2000))}`);
      await new Promise<void>(resolve => {
        const timer = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The first frame that passes the test. */
  next(test: (frame: Frame) => boolean, what = 'a matching frame'): Promise<Frame> {
    return this.until(stream => stream.frames.find(test), what);
  }

  /** Stops reading (the client goes away). */
  close(): void {
    this.abort.abort();
  }

  private async read(): Promise<void> {
    if (!this.response.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    let event: { event?: string; id?: string; data: string[] } = { data: [] };
    try {
      for await (const chunk of this.response.body) {
        const text = decoder.decode(chunk, { stream: true });
        this.text += text;
        buffer += text;
        let end: number;
        while ((end = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, end);
          buffer = buffer.slice(end + 1);
          if (line === '') {
            if (event.data.length > 0) {
              const data = event.data.join('\n');
              let frame: Frame | undefined;
              try {
                frame = JSON.parse(data) as Frame;
              } catch {
                frame = undefined;
              }
              this.events.push({ event: event.event ?? 'message', id: event.id, data, frame });
            }
            event = { data: [] };
          } else if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
          else {
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'data') event.data.push(value);
            else if (field === 'event') event.event = value;
            else if (field === 'id') event.id = value;
            else if (field === 'retry') this.retry = Number(value);
          }
          this.wake();
        }
      }
    } catch {
      // Aborted, or the server cut the connection: the stream ended.
    }
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}
