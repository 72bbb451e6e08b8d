import type { Journal } from "./journal.js";

type KeyOf<T> = (entity: T) => string;

/**
 * A write-through cache of one table: entities by id plus unique secondary indexes,
 * every change journaled. Entities are frozen because they are shared with callers.
 */
export class CachedCollection<T extends { id: string }, I extends string> {
  private readonly byId = new Map<string, T>();
  private readonly indexes = new Map<I, { key: KeyOf<T>; map: Map<string, T> }>();

  constructor(
    private readonly journal: Journal,
    indexes: Record<I, KeyOf<T>>,
  ) {
    for (const name of Object.keys(indexes) as I[]) {
      this.indexes.set(name, { key: indexes[name], map: new Map() });
    }
  }

  get(id: string): T | undefined {
    return this.byId.get(id);
  }

  find(index: I, key: string): T | undefined {
    return this.indexes.get(index)!.map.get(key);
  }

  values(): IterableIterator<T> {
    return this.byId.values();
  }

  filter(predicate: (entity: T) => boolean): T[] {
    const out: T[] = [];
    for (const e of this.byId.values()) if (predicate(e)) out.push(e);
    return out;
  }

  put(entity: T): T {
    const frozen = Object.freeze(entity);
    const previous = this.byId.get(frozen.id);
    this.replace(previous, frozen);
    this.journal.record(() => this.replace(frozen, previous));
    return frozen;
  }

  remove(id: string): void {
    const previous = this.byId.get(id);
    if (!previous) return;
    this.replace(previous, undefined);
    this.journal.record(() => this.replace(undefined, previous));
  }

  private replace(oldEntity: T | undefined, newEntity: T | undefined): void {
    if (oldEntity) {
      this.byId.delete(oldEntity.id);
      for (const { key, map } of this.indexes.values()) {
        if (map.get(key(oldEntity)) === oldEntity) map.delete(key(oldEntity));
      }
    }
    if (newEntity) {
      this.byId.set(newEntity.id, newEntity);
      for (const { key, map } of this.indexes.values()) map.set(key(newEntity), newEntity);
    }
  }
}
