/** Listeners by event name; each event passes a tuple of arguments. */
export type ListenerMap = Record<string, unknown[]>;

/**
 * A tiny event emitter. A listener that throws does not stop the others nor
 * the client: its error is rethrown on its own (as an uncaught exception, the
 * way an `EventTarget` listener's error is reported).
 */
export class Emitter<M extends ListenerMap> {
  private readonly listeners = new Map<keyof M, Set<unknown>>();

  on<K extends keyof M>(name: K, listener: (...args: M[K]) => void): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener);
    return () => this.off(name, listener);
  }

  /** Removes one listener, or every listener of `name` when none is given. */
  off<K extends keyof M>(name: K, listener?: (...args: M[K]) => void): void {
    if (listener === undefined) this.listeners.delete(name);
    else this.listeners.get(name)?.delete(listener);
  }

  has(name: keyof M): boolean {
    return (this.listeners.get(name)?.size ?? 0) > 0;
  }

  emit<K extends keyof M>(name: K, ...args: M[K]): void {
    const set = this.listeners.get(name);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as (...args: M[K]) => void)(...args);
      } catch (error) {
        reportLater(error);
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}

function reportLater(error: unknown): void {
  const report = (globalThis as { reportError?: (error: unknown) => void }).reportError;
  if (typeof report === 'function') report(error);
  else
    setTimeout(() => {
      throw error;
    }, 0);
}
