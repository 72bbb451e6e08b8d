import type { Binding, BindingTable, ClientBinding, ClientBindings } from "../registrar/index.js";
import type { DialogFlow } from "../sip/dialog/index.js";
import type { ConnectionTable, SipConnection } from "../sip/transport/index.js";
import type { Reachability, ReachableClient } from "./ports.js";

/**
 * The trunk's current registered flow: its most recently refreshed binding whose connection
 * is open. The PBX sits behind NAT (SPEC §1), so every request toward it — a new INVITE or
 * one inside a dialog — travels here; after the PBX reconnects and re-registers, this is
 * the new connection.
 */
export function trunkFlow(
  bindings: BindingTable,
  connections: ConnectionTable,
  trunkId: string,
): { binding: Binding; connection: SipConnection } | undefined {
  let best: { binding: Binding; connection: SipConnection } | undefined;
  for (const binding of bindings.forTrunk(trunkId)) {
    const connection = connections.get(binding.connectionId);
    if (!connection?.open) continue;
    if (!best || binding.expiresAt > best.binding.expiresAt) best = { binding, connection };
  }
  return best;
}

/** A dialog with the PBX follows its trunk's current registered flow. */
export function trunkDialogFlow(
  bindings: BindingTable,
  connections: ConnectionTable,
  trunkId: string,
): DialogFlow {
  return () => trunkFlow(bindings, connections, trunkId)?.connection;
}

/**
 * A dialog with a Unify Phone client follows that client's binding (same user, same
 * Contact): a client that re-registers the same Contact over a new WebSocket takes its
 * dialogs along. Without such a binding the dialog stays on its own WebSocket.
 */
export function clientDialogFlow(
  clients: ClientBindings,
  connections: ConnectionTable,
  userId: string,
  contact: string,
): DialogFlow {
  return () => {
    const binding = clients.get(userId, contact);
    return binding ? connections.get(binding.connectionId) : undefined;
  };
}

/** Reachability over the registrars' bindings and the open connections. */
export class RegisteredFlows implements Reachability {
  constructor(
    private readonly bindings: BindingTable,
    private readonly clients: ClientBindings,
    private readonly connections: ConnectionTable,
  ) {}

  trunksOnConnection(connectionId: string): readonly string[] {
    return this.bindings.trunksOnConnection(connectionId);
  }

  usersOnConnection(connectionId: string): readonly string[] {
    return this.clients.usersOnConnection(connectionId);
  }

  trunkFlow(trunkId: string): { binding: Binding; connection: SipConnection } | undefined {
    return trunkFlow(this.bindings, this.connections, trunkId);
  }

  trunkDialogFlow(trunkId: string): DialogFlow {
    return trunkDialogFlow(this.bindings, this.connections, trunkId);
  }

  clientDialogFlow(userId: string, contact: string): DialogFlow {
    return clientDialogFlow(this.clients, this.connections, userId, contact);
  }

  reachableClients(userId: string): ReachableClient[] {
    return this.clients.forUser(userId).flatMap((binding) => {
      const connection = this.connections.get(binding.connectionId);
      return connection?.open ? [{ binding, connection }] : [];
    });
  }

  clientOn(userId: string, connectionId: string): ClientBinding | undefined {
    return this.clients.forUser(userId).find((b) => b.connectionId === connectionId);
  }
}
