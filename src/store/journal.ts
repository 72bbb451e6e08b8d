/**
 * Undo log of the in-memory caches. Every cache change made inside a store transaction
 * records how to revert it; when the transaction (or a nested savepoint) rolls back, the
 * caches roll back with it, so they never show data SQLite does not have.
 */
export class Journal {
  private readonly undo: (() => void)[] = [];
  private depth = 0;

  record(revert: () => void): void {
    if (this.depth > 0) this.undo.push(revert);
  }

  /** Runs `fn` as one unit: reverts its recorded changes if it throws. */
  run<T>(fn: () => T): T {
    const mark = this.undo.length;
    this.depth++;
    try {
      return fn();
    } catch (error) {
      while (this.undo.length > mark) this.undo.pop()!();
      throw error;
    } finally {
      this.depth--;
      if (this.depth === 0) this.undo.length = 0;
    }
  }
}
