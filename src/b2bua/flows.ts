import type { Binding, BindingTable, ClientBindings } from "../registrar/index.js";
import type { DialogFlow } from "../sip/dialog/index.js";
import type { ConnectionTable, SipConnection } from "../sip/transport/index.js";

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
