import { CLIENT_PASSWORD_MAX_LENGTH, CLIENT_PASSWORD_MIN_LENGTH } from "../../services/index.js";

export const clientPasswordBody = {
  type: "object",
  properties: {
    password: {
      type: "string",
      minLength: CLIENT_PASSWORD_MIN_LENGTH,
      maxLength: CLIENT_PASSWORD_MAX_LENGTH,
      pattern: "^[^\\u0000-\\u001f\\u007f]*$",
      description:
        "The digest password of the user's emulated Unify Phone clients (SIP over WebSocket at wss://…/ws; " +
        "AOR and digest username: the user id, e.g. sip:us_k3v9q2m7xa@phoneapp.unify.com). " +
        "Stored only as digest HA1s; never returned.",
    },
  },
  required: ["password"],
  additionalProperties: false,
} as const;
