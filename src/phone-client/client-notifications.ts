import { type Notification, Subscriber, SubscriptionState, type UserAgent } from "sip.js";

/** A NOTIFY the client received: from a subscription of its own, or unsolicited (out of dialog). */
export interface ClientNotification {
  readonly event: string;
  readonly subscriptionState: string | undefined;
  readonly contentType: string | undefined;
  readonly body: string;
  /** True when it belonged to a SUBSCRIBE of this client. */
  readonly inDialog: boolean;
}

/** A SUBSCRIBE this client holds; `unsubscribe` sends Expires: 0. */
export interface ClientSubscription {
  readonly state: () => "initial" | "notify-wait" | "subscribed" | "terminated";
  unsubscribe(): Promise<void>;
}

/** Kept NOTIFYs, newest last; older ones go first so a long-lived client does not grow. */
const KEPT = 100;

/** The NOTIFYs a client got, and its SUBSCRIBEs (sip.js Subscriber), e.g. for message-summary. */
export class ClientNotifications {
  readonly received: ClientNotification[] = [];

  /** sip.js's delegate for out-of-dialog NOTIFY: accept and keep it. */
  unsolicited(notification: Notification): void {
    this.keep(notification, false);
  }

  subscribe(ua: UserAgent, target: string, event: string, expires: number): Promise<ClientSubscription> {
    const uri = ua.configuration.uri.clone();
    uri.user = target;
    const subscriber = new Subscriber(ua, uri, event, { expires });
    subscriber.delegate = { onNotify: (notification) => this.keep(notification, true) };
    const states = {
      [SubscriptionState.Initial]: "initial",
      [SubscriptionState.NotifyWait]: "notify-wait",
      [SubscriptionState.Subscribed]: "subscribed",
      [SubscriptionState.Terminated]: "terminated",
    } as const;
    const handle: ClientSubscription = {
      state: () => states[subscriber.state],
      unsubscribe: () => subscriber.unsubscribe(),
    };
    return subscriber.subscribe().then(() => handle);
  }

  private keep(notification: Notification, inDialog: boolean): void {
    notification.accept().catch(() => undefined);
    const message = notification.request;
    this.received.push({
      event: message.getHeader("event") ?? "",
      subscriptionState: message.getHeader("subscription-state"),
      contentType: message.getHeader("content-type"),
      body: message.body ?? "",
      inDialog,
    });
    if (this.received.length > KEPT) this.received.splice(0, this.received.length - KEPT);
  }
}
