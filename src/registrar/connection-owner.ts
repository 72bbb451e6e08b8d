import type { Tenant, Trunk } from "../domain/index.js";
import type { BindingTable } from "./binding-table.js";

/** The trunks and tenants a connection's owner is looked up in. */
export interface OwnerDirectory {
  trunk(id: string): Trunk | undefined;
  trunkByUsername(username: string): Trunk | undefined;
  tenant(id: string): Tenant | undefined;
}

/** The trunk (and its tenant, if it still exists) a SIP connection belongs to. */
export interface ConnectionOwner {
  readonly trunk: Trunk;
  readonly tenant: Tenant | undefined;
}

/**
 * Connection → trunk → tenant, for traces and fault matching: the one trunk registered over
 * the connection (none when several share it). A REGISTER not bound yet names its trunk by
 * the To user, given as `registering`.
 */
export function connectionOwner(
  bindings: Pick<BindingTable, "soleOwnerOnConnection">,
  directory: OwnerDirectory,
  connectionId: string,
  registering?: string,
): ConnectionOwner | undefined {
  const trunk = connectionTrunk(bindings, directory, connectionId, registering);
  return trunk && { trunk, tenant: directory.tenant(trunk.tenantId) };
}

/** The trunk of `connectionOwner` alone: the trace asks it for every message, and needs no tenant. */
export function connectionTrunk(
  bindings: Pick<BindingTable, "soleOwnerOnConnection">,
  directory: Omit<OwnerDirectory, "tenant">,
  connectionId: string,
  registering?: string,
): Trunk | undefined {
  const sole = bindings.soleOwnerOnConnection(connectionId);
  if (sole !== undefined) return directory.trunk(sole);
  return registering !== undefined ? directory.trunkByUsername(registering) : undefined;
}
