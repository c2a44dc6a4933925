/** A promise with its resolve and reject at hand; settled once, later calls do nothing. */
export interface Deferred<T> {
  promise: Promise<T>;
  settled: boolean;
  resolve(value: T): void;
  reject(error: unknown): void;
}

/**
 * A new pending {@link Deferred}. A `quiet` one never reports its rejection
 * as unhandled.
 */
export function deferred<T>(quiet = false): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // NOTE: a subscription's `ready` may be ignored on purpose: its failure is also an event.
  if (quiet) promise.catch(() => undefined);
  const result: Deferred<T> = {
    promise,
    settled: false,
    resolve: value => {
      if (result.settled) return;
      result.settled = true;
      resolve(value);
    },
    reject: error => {
      if (result.settled) return;
      result.settled = true;
      reject(error);
    },
  };
  return result;
}
