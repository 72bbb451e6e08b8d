import type { User } from "../domain/index.js";
import { createResponse } from "../sip/message/index.js";
import type { ServerTransaction } from "../sip/transaction/index.js";
import type { CallDirectory, Reachability } from "./ports.js";

/**
 * The user a client's request comes from (its From user) when that user has a client
 * registered on the request's connection; otherwise the request is answered 403 and the
 * result is undefined. Calls, the conference focus and pickup accept only such callers.
 */
export function registeredCaller(
  ctx: Pick<Reachability, "usersOnConnection"> & Pick<CallDirectory, "user">,
  tx: ServerTransaction,
  users: readonly string[] = ctx.usersOnConnection(tx.connection.id),
): User | undefined {
  const caller = tx.request.from.uri.user ?? "";
  const user = users.includes(caller) ? ctx.user(caller) : undefined;
  if (!user)
    tx.respond(
      createResponse(
        tx.request,
        403,
        `Forbidden: ${caller || "the caller"} has no client registered on this connection`,
      ),
    );
  return user;
}
