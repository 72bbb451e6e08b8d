import type { PbxSystem, Trunk, User } from "../domain/index.js";
import type { ConnectorEndpoints } from "./connector-service.js";

/** A provisioned PBX system as the connectivity wizard sees it: its trunk and where to connect. */
export interface ProvisionedSystem {
  readonly system: PbxSystem;
  readonly trunk: Trunk;
  readonly endpoints: ConnectorEndpoints;
  /** The trunk has at least one registration binding. */
  readonly available: boolean;
}

/** A user as the OSBiz user instance wizard lists it: marked when assigned, and where. */
export interface WizardUser {
  readonly user: User;
  /** The name ("gtc-001") of the trunk the user is assigned to. */
  readonly trunkName: string | null;
  /** Assigned to the trunk of the system the wizard runs on. */
  readonly assignedToThisSystem: boolean;
}
