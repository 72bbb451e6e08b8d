import type { Store } from "../store/index.js";
import type { JwtService } from "./jwt-service.js";
import type { RegistrationView } from "./registration-view.js";
import type { UserService } from "./user-service.js";

/** Where provisioning tells a PBX to connect: the emulator's own listeners. */
export interface ConnectorEndpoints {
  readonly host: string;
  readonly sipPort: number;
  readonly domain: string;
  readonly registerInterval: number;
  readonly stun: { readonly host: string; readonly port: number } | null;
}

/** The PBX side: what the OSBiz wizards call with the tenant's API key. */
export class ConnectorService {
  constructor(
    readonly store: Store,
    readonly registrations: RegistrationView,
    readonly users: UserService,
    readonly jwt: JwtService,
    readonly endpoints: ConnectorEndpoints,
  ) {}
}
