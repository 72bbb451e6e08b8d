/** A small typed listener set: `on(name, fn)` returns its own unsubscribe function. */
export class TypedListeners<Events extends object> {
  private readonly sets = new Map<keyof Events, Set<(payload: never) => void>>();

  /** `onError` hears a listener that threw; the others still run. */
  constructor(private readonly onError: (error: unknown) => void = () => undefined) {}

  on<K extends keyof Events>(name: K, listener: (payload: Events[K]) => void): () => void {
    let set = this.sets.get(name);
    if (!set) {
      set = new Set();
      this.sets.set(name, set);
    }
    const entry = listener as (payload: never) => void;
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  }

  emit<K extends keyof Events>(name: K, payload: Events[K]): void {
    for (const listener of [...(this.sets.get(name) ?? [])]) {
      try {
        (listener as (payload: Events[K]) => void)(payload);
      } catch (error) {
        this.onError(error);
      }
    }
  }
}
