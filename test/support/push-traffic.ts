import { ChannelService, RealtimeTransportError, type PushStatus } from 'nestjs-realtime';

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** One push and what became of it. */
export interface PushOutcome {
  /** `<origin>-<n>`: the payload's `n` and the push id. */
  id: string;
  result: PushStatus | 'rejected';
  /** The `RealtimeTransportError` code, for a rejected push. */
  code?: string;
}

/**
 * Pushes `{ id: '<origin>-<n>' }` to one channel from one instance, one push
 * at a time (each awaited), every few ms, with the same string as push id;
 * records every outcome. A test can hold it (it stops between pushes) and let
 * it go on.
 */
export class PushTraffic {
  readonly outcomes: PushOutcome[] = [];
  private running = true;
  private held = false;
  private readonly done: Promise<void>;

  constructor(
    private readonly channels: ChannelService,
    private readonly origin: string,
    private readonly channel: string,
  ) {
    this.done = this.run();
  }

  /** How many pushes ended so. */
  count(result: PushOutcome['result']): number {
    return this.outcomes.filter(outcome => outcome.result === result).length;
  }

  ids(result?: PushOutcome['result']): string[] {
    return this.outcomes.filter(outcome => result === undefined || outcome.result === result).map(outcome => outcome.id);
  }

  hold(): void {
    this.held = true;
  }

  release(): void {
    this.held = false;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }

  private async run(): Promise<void> {
    for (let n = 0; this.running; ) {
      if (this.held) {
        await sleep(5);
        continue;
      }
      const id = `${this.origin}-${n++}`;
      try {
        const receipt = await this.channels.push({ id }, this.channel, { id });
        this.outcomes.push({ id, result: receipt.status });
      } catch (error) {
        if (!(error instanceof RealtimeTransportError)) throw error;
        this.outcomes.push({ id, result: 'rejected', code: error.code });
      }
      await sleep(3);
    }
  }
}
