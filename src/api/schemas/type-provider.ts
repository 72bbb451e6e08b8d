import type { Readable } from "node:stream";
import type { FastifyTypeProvider } from "fastify";
import type { FromSchema, JSONSchema } from "json-schema-to-ts";
import type { problemSchema } from "./common.js";

/** Schemas that others point at with `$ref` (registered on the app by http-server.ts). */
type Options = { references: [typeof problemSchema] };

/** A property name, not an index signature (what a schema without additionalProperties: false adds). */
type KnownKey<K> = string extends K ? never : number extends K ? never : K;

/**
 * The fields an object schema lists, all the way down: the serializer sends only those, so a
 * client never sees others and a handler's result need not rule them out. An object schema
 * that lists none is a map: of its `additionalProperties` schema, or `Open` for `true`.
 */
type Listed<T, Open, Arrays extends "readonly" | "mutable"> = T extends readonly (infer E)[]
  ? Arrays extends "readonly"
    ? readonly Listed<E, Open, Arrays>[]
    : Listed<E, Open, Arrays>[]
  : T extends object
    ? { [K in keyof T as KnownKey<K>]: Listed<T[K], Open, Arrays> } extends infer F
      ? [keyof F] extends [never]
        ? MapOf<T, Open, Arrays>
        : F
      : never
    : T;

type MapOf<T, Open, Arrays extends "readonly" | "mutable"> = T extends { [key: string]: infer V }
  ? unknown extends V
    ? Open
    : { [key: string]: Listed<V, Open, Arrays> }
  : Open;

/** The JSON a schema describes, as a client receives it (the REST client's types). */
export type JsonOf<S extends JSONSchema> = Listed<
  FromSchema<S, Options>,
  { [key: string]: unknown },
  "mutable"
>;

/** A request body or query as a client sends it (fields with a default may be left out). */
export type InputOf<S extends JSONSchema> = FromSchema<
  S,
  Options & { keepDefaultedPropertiesOptional: true }
>;

/**
 * What a handler (or a `…Json` view) may hand the serializer for a schema: its fields, read-only
 * arrays welcome, any object where the schema lists no field (the domain's interfaces have no
 * index signature). A text or binary body (CSV, text ladder, pcap) may also be bytes or a stream.
 */
export type Reply<S extends JSONSchema> = Body<Listed<FromSchema<S, Options>, object, "readonly">>;
type Body<T> = T extends string ? string | Buffer | Readable : T;

/**
 * Route types come from the `as const` schemas (json-schema-to-ts): a handler's params,
 * query and body are what its schema validates, and what it returns must fit one of its
 * response schemas. Each route module takes `app.withTypeProvider<ApiTypeProvider>()`.
 */
export interface ApiTypeProvider extends FastifyTypeProvider {
  validator: this["schema"] extends JSONSchema ? FromSchema<this["schema"], Options> : unknown;
  serializer: this["schema"] extends JSONSchema ? Reply<this["schema"]> : unknown;
}
