import type { Clock } from "../shared/clock.js";
import type { Store } from "../store/index.js";

/** The emulated JWT creation portal and each tenant's JWT (SPEC §1, §3.2). */
export class JwtService {
  constructor(
    readonly store: Store,
    readonly clock: Clock,
  ) {}
}
