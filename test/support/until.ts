const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/**
 * Polls until the check returns something truthy (every 10 ms, 20 s at most:
 * a safety net against a hang, not a measure of speed) and resolves with it,
 * or throws naming what never happened.
 */
export async function until<T>(check: () => T | Promise<T>, what: string): Promise<Exclude<T, false | undefined | null>> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await check();
    if (value) return value as Exclude<T, false | undefined | null>;
    if (Date.now() > deadline) throw new Error(`Never happened: ${what}`);
    await sleep(10);
  }
}
