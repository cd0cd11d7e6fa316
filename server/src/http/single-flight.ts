/**
 * Identical reads in flight share one computation: a caller asking for a key that is being computed
 * gets that computation's answer instead of starting another. Nothing is kept once it settles, so an
 * answer is never older than the request it joined (at most one computation's time). For the
 * dashboards, where a wall screen, a director's several tabs or a team opening the same link ask the
 * same heavy question at once.
 */
export class SingleFlight {
  private readonly inFlight = new Map<string, Promise<unknown>>();

  run<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const running = this.inFlight.get(key);
    if (running) return running as Promise<T>;
    const started = compute().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, started);
    return started;
  }

  /** keys being computed now */
  get size(): number {
    return this.inFlight.size;
  }
}
