export { EVENT_FILTER_PATTERN, matchesEventFilter } from "./event-filter.js";
export {
  type WebhookCallNotice,
  type WebhookConnectorNotice,
  WebhookDispatcher,
  type WebhookDispatcherOptions,
  type WebhookOutcome,
  type WebhookStatus,
} from "./webhook-dispatcher.js";
export type { WebhookCallSource, WebhookCallSummary, WebhookPayload } from "./webhook-payload.js";
export type { WebhookInput } from "./webhook-settings.js";
