import { userSchema } from "./users.js";

/** One registered Unify Phone client of a user (services/registration-view.ts). */
export const clientRegistrationSchema = {
  type: "object",
  properties: {
    kind: {
      enum: ["browser", "node", "unknown"],
      description:
        'from the User-Agent: "UnifyPhoneEmulator-Browser…" (the /phone page) is browser, "unify-phone-emulator client…" (the Node helper) is node',
    },
    userAgent: { type: ["string", "null"] },
    contact: { type: "string" },
    since: {
      type: "string",
      format: "date-time",
      description: "when this client first registered (emulator clock)",
    },
    expires: { type: "integer", description: "seconds until the registration expires" },
    connection: {
      type: "object",
      properties: {
        transport: { type: "string" },
        remoteAddress: { type: "string" },
        remotePort: { type: "integer" },
      },
    },
  },
} as const;

/** The user's registered clients, oldest registration first: who rings on a call to the user. */
export const clientRegistrationsSchema = {
  type: "array",
  items: clientRegistrationSchema,
} as const;

export const registrationsResponse = {
  type: "object",
  properties: { registrations: clientRegistrationsSchema },
} as const;

/** GET …/users/{userId}: the user with its registered clients. */
export const userWithRegistrationsSchema = {
  ...userSchema,
  properties: { ...userSchema.properties, registrations: clientRegistrationsSchema },
} as const;
