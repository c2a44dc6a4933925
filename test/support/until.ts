const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/**
 * Polls until the check passes (every 25 ms, 20 s at most: a safety net
 * against a hang, not a measure of speed), or throws naming what never happened.
 */
export async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 800; attempt++) {
    if (await check()) return;
    await sleep(25);
  }
  throw new Error(`Never happened: ${what}`);
}
