import { AuthLockout, type AuthLockoutOptions } from "../auth/index.js";
import type { DiagnoseEvidence } from "../services/index.js";
import type { Clock } from "../shared/clock.js";

/**
 * The REST API's lockout, also telling the diagnosis which addresses use a missing or unknown
 * API key (a PBX left with a regenerated tenant's old key) and which get through again.
 */
export class EvidenceLockout extends AuthLockout {
  constructor(
    clock: Clock,
    options: AuthLockoutOptions,
    private readonly evidence: DiagnoseEvidence,
  ) {
    super(clock, options);
  }

  override fail(source: string, target: string): void {
    super.fail(source, target);
    if (target === "api-key") this.evidence.recordApiKey(source, false);
  }

  override succeed(source: string, target: string): void {
    super.succeed(source, target);
    if (target === "api-key") this.evidence.recordApiKey(source, true);
  }
}
