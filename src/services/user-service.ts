import type { Store } from "../store/index.js";

/** Users of a tenant: CRUD, search, assignment to a trunk, CSV/JSON import and export. */
export class UserService {
  constructor(readonly store: Store) {}
}
