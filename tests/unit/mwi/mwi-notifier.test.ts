import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type MailboxPort, MwiNotifier } from "../../../src/b2bua/mwi-notifier.js";
import { EMPTY_MAILBOX, type VoiceMailbox } from "../../../src/domain/index.js";
import { SipRouter } from "../../../src/sip/core/index.js";
import { FakePorts, FakeServerTx, reply, request } from "../b2bua/b2bua-fakes.js";

/** The B2BUA's MWI notifier over the in-memory fakes: a frozen timer clock the test advances. */

const AL_URI = "sip:+4923026672131@unify.test";
const SUMMARY = "application/simple-message-summary";

let ports: FakePorts;
let mailboxes: Map<string, VoiceMailbox>;
let notifier: MwiNotifier;
let router: SipRouter;

beforeEach(() => {
  ports = new FakePorts();
  mailboxes = new Map();
  const port: MailboxPort = {
    mailbox: (userId) => mailboxes.get(userId) ?? EMPTY_MAILBOX,
    report: (user, mailbox) => {
      mailboxes.set(user.id, mailbox);
      notifier.mailboxChanged(user.id);
    },
  };
  notifier = new MwiNotifier({ ...ports, timers: ports.timers, mailboxes: port });
  router = new SipRouter(pino({ level: "silent" }));
  notifier.install(router);
});

afterEach(() => ports.dispose());

function subscribe(expires: string, callId = "sub-1") {
  const tx = new FakeServerTx(
    request("SUBSCRIBE", AL_URI, { callId, headers: ["Event: message-summary", `Expires: ${expires}`] }),
    ports.trunkConnection(),
  );
  router.onRequest(tx);
  return tx;
}

function notifies() {
  return ports.sentOf("NOTIFY").map((s) => s.request);
}

describe("MwiNotifier subscriptions", () => {
  it("ends a subscription at its expiry with a terminated NOTIFY", () => {
    const tx = subscribe("120");
    expect(tx.final?.status).toBe(200);
    expect(notifier.size).toBe(1);
    ports.timers.advance(119_000);
    expect(notifies()).toHaveLength(1);
    ports.timers.advance(1_000);
    expect(notifies()).toHaveLength(2);
    expect(notifies()[1]!.headers.get("subscription-state")).toBe("terminated;reason=timeout");
    expect(notifier.size).toBe(0);
  });

  it("drops a subscription whose NOTIFY is answered 481", () => {
    subscribe("600");
    const sent = ports.sentOf("NOTIFY")[0]!;
    sent.delegate.onResponse(reply(sent.request, 481, "Call/Transaction Does Not Exist"));
    expect(notifier.size).toBe(0);
  });

  it("caps Expires at 3600", () => {
    expect(subscribe("86400").final?.headers.get("expires")).toBe("3600");
  });

  it("a change reaches a subscribed PBX in its dialog and an unsubscribed client unsolicited", () => {
    subscribe("600");
    const { binding } = ports.clientConnection("us_al");
    mailboxes.set("us_al", { waiting: true, newMessages: 2, oldMessages: 5, urgentNew: 0, urgentOld: 0 });
    notifier.mailboxChanged("us_al");
    const [, inDialog, unsolicited] = notifies();
    expect(inDialog!.headers.get("subscription-state")).toBe("active;expires=600");
    expect(inDialog!.to.params.tag).toBe("pbx-tag");
    expect(unsolicited!.uri).toBe(binding.contact);
    expect(unsolicited!.to.params.tag).toBeUndefined();
    expect(unsolicited!.headers.get("content-type")).toBe(SUMMARY);
    expect(unsolicited!.body.toString()).toContain("Voice-Message: 2/5 (0/0)");
  });
});

describe("routing by event package", () => {
  it("takes only message-summary: other packages get 405, SUBSCRIBE/NOTIFY stay out of Allow, OPTIONS names the package", () => {
    const presence = new FakeServerTx(
      request("SUBSCRIBE", AL_URI, { headers: ["Event: presence", "Expires: 600"] }),
      ports.trunkConnection(),
    );
    router.onRequest(presence);
    expect(presence.final?.status).toBe(405);
    expect(presence.final?.headers.get("allow")).not.toMatch(/SUBSCRIBE|NOTIFY/);
    expect(notifier.size).toBe(0);
    const options = new FakeServerTx(request("OPTIONS", "sip:unify.test"), ports.trunkConnection());
    router.onRequest(options);
    expect(options.final?.headers.get("allow-events")).toBe("message-summary");
  });
});
