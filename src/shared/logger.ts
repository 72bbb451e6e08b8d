import { type Logger, pino } from "pino";

/** The emulator's logger: JSON lines on stdout; credentials never reach it. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: "unify-phone-emulator" },
    redact: {
      paths: [
        "req.headers.authorization",
        'req.headers["x-api-key"]',
        "req.headers.cookie",
        "*.password",
        "*.apiKey",
        "*.token",
        "*.adminToken",
      ],
      censor: "[redacted]",
    },
  });
}
