/** A minimal typed event source: modules publish domain events without knowing who listens. */
export class Listeners<T> {
  private readonly fns = new Set<(event: T) => void>();

  on(fn: (event: T) => void): () => void {
    this.fns.add(fn);
    return () => this.fns.delete(fn);
  }

  emit(event: T): void {
    for (const fn of this.fns) fn(event);
  }
}
