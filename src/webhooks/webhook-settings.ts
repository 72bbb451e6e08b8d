import { DomainError } from "../domain/index.js";
import { isEventFilter } from "./event-filter.js";

/** What a user gives `configure()` (REST body, config). */
export interface WebhookInput {
  readonly url: string;
  /** HMAC-SHA256 key for `x-upe-signature`; kept in memory only. */
  readonly secret?: string;
  /** Event-type filters (`call.*`, `connector.available`, …); absent: every event. */
  readonly events?: readonly string[];
}

export interface WebhookSettings {
  readonly url: string;
  readonly secret: string | null;
  readonly events: readonly string[];
}

/** Checks a webhook's input; a broken rule is a DomainError naming the field (REST: 422). */
export function parseWebhookSettings(input: WebhookInput): WebhookSettings {
  const url = URL.canParse(input.url) ? new URL(input.url) : undefined;
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new DomainError(
      "invalid_url",
      `url must be an absolute http: or https: URL, got "${input.url}"`,
      "url",
    );
  }
  // The URL shows in status() and in logs, so it must not carry credentials.
  if (url.username || url.password) {
    throw new DomainError("invalid_url", "url must not contain user:password; use a secret to sign", "url");
  }
  if (input.secret === "") throw new DomainError("invalid_secret", "secret must not be empty", "secret");
  const events = input.events ?? ["*"];
  const bad = events.findIndex((e) => !isEventFilter(e));
  if (events.length === 0 || bad >= 0) {
    throw new DomainError(
      "invalid_event_filter",
      events.length === 0
        ? "events must name at least one filter (leave it out for every event)"
        : `events[${bad}]: "${events[bad]}" is not an event type or a filter like "call.*"`,
      "events",
    );
  }
  return { url: input.url, secret: input.secret ?? null, events: [...events] };
}
