import type { SipConnection } from "./connection.js";

/**
 * Every open connection by id, with counts per source address so a listener can
 * refuse the (N+1)th connection from one IP before the TLS handshake is paid for.
 */
export class ConnectionTable {
  private readonly byId = new Map<string, SipConnection>();
  private readonly perSource = new Map<string, number>();
  private nextId = 1;

  newId(): string {
    return `c${this.nextId++}`;
  }

  get size(): number {
    return this.byId.size;
  }

  get(id: string): SipConnection | undefined {
    return this.byId.get(id);
  }

  values(): IterableIterator<SipConnection> {
    return this.byId.values();
  }

  /** Reserve a slot for a source before the connection exists; false when over a limit. */
  admit(source: string, limits: { maxConnectionsPerSource: number; maxConnections: number }): boolean {
    const count = this.perSource.get(source) ?? 0;
    if (count >= limits.maxConnectionsPerSource || this.reserved >= limits.maxConnections) return false;
    this.perSource.set(source, count + 1);
    this.reserved++;
    return true;
  }

  /** Give back a slot taken by admit(). */
  release(source: string): void {
    const count = this.perSource.get(source) ?? 0;
    if (count <= 1) this.perSource.delete(source);
    else this.perSource.set(source, count - 1);
    this.reserved--;
  }

  add(connection: SipConnection): void {
    this.byId.set(connection.id, connection);
  }

  remove(connection: SipConnection): void {
    this.byId.delete(connection.id);
  }

  connectionsFrom(source: string): number {
    return this.perSource.get(source) ?? 0;
  }

  private reserved = 0;
}
