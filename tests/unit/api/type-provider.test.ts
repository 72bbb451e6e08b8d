import { describe, expectTypeOf, it } from "vitest";
import type { ProvisionInput, SystemJson, UserJson, UserPatch, WebhookJson } from "../../../src/api/index.js";
import type { idParams } from "../../../src/api/schemas/common.js";
import type { systemSchema } from "../../../src/api/schemas/connector.js";
import type { ApiTypeProvider, JsonOf, Reply } from "../../../src/api/schemas/type-provider.js";

/** What fastify derives for a route part from its schema with our provider. */
type Validated<S> = (ApiTypeProvider & { schema: S })["validator"];
type Serialized<S> = (ApiTypeProvider & { schema: S })["serializer"];

// These are checked by `tsc` (npm run typecheck): a provider that stopped typing routes from
// their schemas fails the typecheck, not only a run.
describe("ApiTypeProvider: route types from the JSON schemas", () => {
  it("types path parameters from idParams", () => {
    expectTypeOf<Validated<ReturnType<typeof idParams<["tenantId", "userId"]>>>>().toMatchTypeOf<{
      tenantId: string;
      userId: string;
    }>();
  });

  it("gives a client exactly the listed fields: enums as unions, nullable where the schema says", () => {
    expectTypeOf<UserJson["role"]>().toEqualTypeOf<"user" | "admin">();
    expectTypeOf<UserJson["trunk"]>().toEqualTypeOf<string | null>();
    expectTypeOf<SystemJson["sip"]["transport"]>().toEqualTypeOf<"tls">();
    expectTypeOf<SystemJson["stun"]>().toEqualTypeOf<{ host: string; port: number } | null>();
    expectTypeOf<WebhookJson["lastError"]>().toEqualTypeOf<string | undefined>();
    // No index signature: a field the schema does not list is a type error for a client.
    expectTypeOf<keyof UserJson>().toEqualTypeOf<
      | "id"
      | "emailAddress"
      | "firstName"
      | "lastName"
      | "locale"
      | "role"
      | "trunk"
      | "callno"
      | "did"
      | "phoneNumber"
      | "callBehaviour"
      | "routing"
      | "alternativeNumber"
      | "busyBehaviour"
      | "createdAt"
      | "updatedAt"
    >();
    // An object schema that lists no field stays an open map.
    expectTypeOf<UserJson["callBehaviour"]>().toEqualTypeOf<{ [key: string]: unknown }>();
  });

  it("types request bodies as sent: optional and nullable fields of a patch, defaults left out", () => {
    expectTypeOf<UserPatch["trunk"]>().toEqualTypeOf<string | null | undefined>();
    expectTypeOf<ProvisionInput>().toMatchTypeOf<{ systemId: string; simultaneousCalls?: number }>();
  });

  it("lets a handler return read-only arrays and domain interfaces, but not wrong values", () => {
    expectTypeOf<Serialized<typeof systemSchema>>().toEqualTypeOf<Reply<typeof systemSchema>>();
    expectTypeOf<{ host: string; port: number; transport: "udp" }>().not.toMatchTypeOf<
      Reply<typeof systemSchema>["sip"]
    >();
    expectTypeOf<JsonOf<typeof systemSchema>>().toMatchTypeOf<Reply<typeof systemSchema>>();
  });
});
