/**
 * The phone's SIP side: sip.js (served by the emulator from its installed package, see the
 * `upe-sipjs` meta tag) registering over wss://<host>/ws, with WebRTC audio from the microphone.
 * One PhoneLine per signed-in user; each call is a PhoneCall. Listeners get no arguments:
 * they re-read `line.state` and `line.calls`.
 */

/** What registrations show for this client (the registrations view tells browsers apart by it). */
const USER_AGENT = "UnifyPhoneEmulator-Browser";
const AUDIO_ONLY = { constraints: { audio: true, video: false } };
/** The emulator's conference factory (RFC 4579 ad-hoc): INVITE it, then REFER each call into it. */
const CONFERENCE_USER = "conference";
const RECONNECT_ATTEMPTS = 5;
/** Ended calls stay listed this long, so the user sees how a call ended. */
const ENDED_SHOWN_MS = 4000;

/** Loads sip.js's ESM build from the path the server put into the page. */
export function loadSipJs() {
  const meta = document.querySelector('meta[name="upe-sipjs"]');
  return import(meta.content);
}

/** A dial string as a request URI: digits, +, *, # as the user part in the SIP domain. */
function targetUri(SIP, text, domain) {
  const number = text.replace(/[\s()./-]/g, "");
  if (!/^\+?[0-9*#]{1,32}$/.test(number)) throw new Error(`not a number: ${text}`);
  return SIP.UserAgent.makeURI(`sip:${encodeURIComponent(number)}@${domain}`);
}

let nextId = 1;

export class PhoneCall {
  constructor(line, session, direction, remote) {
    this.line = line;
    this.session = session;
    this.id = nextId++;
    this.direction = direction;
    this.remote = remote;
    /** "ringing" (incoming), "calling", "established", "ended". */
    this.state = direction === "incoming" ? "ringing" : "calling";
    this.held = false;
    this.busy = false;
    this.note = "";
    /** The conference focus this page dialled (its party is "Conference"). */
    this.conference = false;
    /** How the last DTMF digits went out: "rfc4733" or "info". */
    this.dtmfVia = null;
    this.dtmfSent = "";
    session.stateChange.addListener((s) => this.#onState(s));
  }

  get sdh() {
    return this.session.sessionDescriptionHandler;
  }

  answer() {
    return this.#act(() => this.session.accept({ sessionDescriptionHandlerOptions: AUDIO_ONLY }));
  }

  decline() {
    return this.#act(() => this.session.reject({ statusCode: 486, reasonPhrase: "Busy Here" }));
  }

  hangup() {
    const { SessionState } = this.line.SIP;
    return this.#act(() => {
      if (this.session.state === SessionState.Established) return this.session.bye();
      if (this.direction === "outgoing") return this.session.cancel();
      return this.session.reject();
    });
  }

  /** re-INVITE with the audio direction sendonly (hold) or sendrecv (retrieve). */
  setHold(hold) {
    if (this.held === hold) return Promise.resolve();
    return this.#act(
      () =>
        new Promise((resolve, reject) => {
          const options = this.session.sessionDescriptionHandlerOptionsReInvite;
          this.session.sessionDescriptionHandlerOptionsReInvite = { ...options, hold };
          this.session
            .invite({
              requestDelegate: {
                onAccept: () => {
                  this.held = hold;
                  this.#enableTracks(!hold);
                  resolve();
                },
                onReject: (response) =>
                  reject(new Error(`${hold ? "hold" : "retrieve"}: ${statusOf(response)}`)),
              },
            })
            .catch(reject);
        }),
    );
  }

  /**
   * RFC 4733 telephone-events through the browser's RTCDTMFSender when the answer negotiated
   * them; SIP INFO (application/dtmf-relay) otherwise.
   */
  async sendDtmf(digit) {
    if (!/^[0-9*#A-D]$/.test(digit) || this.state !== "established") return;
    const sent = this.sdh?.sendDtmf(digit, { duration: 120, interToneGap: 70 });
    if (sent) {
      this.dtmfVia = "rfc4733";
    } else {
      this.dtmfVia = "info";
      await this.session.info({
        requestOptions: {
          body: {
            contentDisposition: "render",
            contentType: "application/dtmf-relay",
            content: `Signal=${digit}\r\nDuration=120\r\n`,
          },
        },
      });
    }
    this.dtmfSent += digit;
    this.line.changed();
  }

  /** Blind transfer: REFER with Refer-To the number; the connector carries it out. */
  transfer(number) {
    const uri = targetUri(this.line.SIP, number, this.line.domain);
    return this.#act(() => this.#refer(uri, "transfer"));
  }

  /** Attended transfer: REFER to `consult`'s party with Replaces of that dialog (RFC 3891). */
  transferTo(consult) {
    return this.#act(() => this.#refer(consult.session, "transfer"));
  }

  /** On the conference focus: REFER `member`'s dialog (Replaces) into the conference. */
  bringIn(member) {
    return this.#refer(member.session, "join");
  }

  /** Resolves when the REFER is accepted; its NOTIFYs report progress in `note`. */
  #refer(target, what) {
    return new Promise((resolve, reject) => {
      this.session
        .refer(target, {
          requestDelegate: {
            onAccept: () => {
              this.note = what === "join" ? "joining…" : "transferring…";
              this.line.changed();
              resolve();
            },
            onReject: (response) => reject(new Error(`${what}: ${statusOf(response)}`)),
          },
          onNotify: (notification) => this.#onReferNotify(notification, what),
        })
        .catch(reject);
    });
  }

  /**
   * message/sipfrag progress of our REFER. A transfer's 2xx ends our part of the call; a join
   * keeps the conference going.
   */
  #onReferNotify(notification, what) {
    notification.accept();
    const status = /^SIP\/2\.0\s+(\d{3})/.exec(notification.request.body ?? "")?.[1];
    if (!status) return;
    this.note = `${what}: ${status}`;
    const done = status.startsWith("2");
    if (done && what === "join") this.note = "";
    if (done && what === "transfer" && this.session.state === this.line.SIP.SessionState.Established) {
      this.note = "transferred";
      this.session.bye().catch(() => {});
    }
    this.line.changed();
  }

  /** Resolves once the call is established; rejects if it ends first. */
  established() {
    const { SessionState } = this.line.SIP;
    return new Promise((resolve, reject) => {
      const check = (state) => {
        if (state === SessionState.Established) resolve();
        // The final response's note is set after the state change: read it a turn later.
        else if (state === SessionState.Terminated)
          setTimeout(() => reject(new Error(`${this.remote}: ${this.note || "ended"}`)), 0);
        else return;
        this.session.stateChange.removeListener(check);
      };
      this.session.stateChange.addListener(check);
      check(this.session.state);
    });
  }

  /** Inbound and outbound audio packets of this call's peer connection (RTCPeerConnection.getStats). */
  async stats() {
    const pc = this.sdh?.peerConnection;
    const out = { inboundPackets: 0, outboundPackets: 0, codec: null };
    if (!pc) return out;
    const report = await pc.getStats();
    for (const s of report.values()) {
      if (s.type === "inbound-rtp" && s.kind === "audio") out.inboundPackets += s.packetsReceived ?? 0;
      if (s.type === "outbound-rtp" && s.kind === "audio") out.outboundPackets += s.packetsSent ?? 0;
      if (s.type === "codec" && !out.codec) out.codec = s.mimeType;
    }
    return out;
  }

  async #act(action) {
    this.busy = true;
    this.line.changed();
    try {
      await action();
    } catch (error) {
      this.line.error(error);
    } finally {
      this.busy = false;
      this.line.changed();
    }
  }

  #enableTracks(enable) {
    const pc = this.sdh?.peerConnection;
    if (!pc) return;
    for (const sender of pc.getSenders()) if (sender.track) sender.track.enabled = enable;
    for (const receiver of pc.getReceivers()) if (receiver.track) receiver.track.enabled = enable;
  }

  #onState(state) {
    const { SessionState } = this.line.SIP;
    if (state === SessionState.Established) {
      this.state = "established";
      this.line.playAudio(this);
    } else if (state === SessionState.Terminated) {
      this.state = "ended";
      this.line.ended(this);
    }
    this.line.changed();
  }
}

export class PhoneLine {
  /** "unregistered", "registering", "registered", "disconnected" or "failed: <status>". */
  state = "unregistered";
  /** @type {PhoneCall[]} */
  calls = [];
  #listeners = new Set();
  #errorListeners = new Set();
  #ua;
  #registerer;

  constructor(SIP, { aor, username, password, domain, server, audio }) {
    this.SIP = SIP;
    this.domain = domain;
    this.audio = audio;
    this.#ua = new SIP.UserAgent({
      uri: SIP.UserAgent.makeURI(aor),
      transportOptions: { server, connectionTimeout: 10 },
      // A dropped WebSocket is opened again (up to 5 times, 2 s apart) and the page registers anew.
      reconnectionAttempts: RECONNECT_ATTEMPTS,
      reconnectionDelay: 2,
      authorizationUsername: username,
      authorizationPassword: password,
      userAgentString: `${USER_AGENT} (SIP.js ${SIP.version})`,
      logBuiltinEnabled: false,
      // Loopback host candidates are enough for the emulator; docs/web-ui.md says what TURN would do.
      sessionDescriptionHandlerFactoryOptions: {
        peerConnectionConfiguration: { iceServers: [] },
        iceGatheringTimeout: 2000,
      },
      delegate: {
        onInvite: (invitation) => this.#incoming(invitation),
        onDisconnect: (error) => {
          if (error) this.#setState("disconnected");
        },
        onConnect: () => {
          // The registration went with the old connection (the registrar drops it): register again.
          if (this.state === "disconnected") this.#register().catch((e) => this.error(e));
        },
      },
    });
  }

  onChange(listener) {
    this.#listeners.add(listener);
  }

  onError(listener) {
    this.#errorListeners.add(listener);
  }

  changed() {
    for (const listener of this.#listeners) listener();
  }

  error(error) {
    for (const listener of this.#errorListeners) listener(error);
  }

  async start() {
    const { Registerer, RegistererState } = this.SIP;
    this.#setState("registering");
    await this.#ua.start();
    this.#registerer = new Registerer(this.#ua, { expires: 300 });
    this.#registerer.stateChange.addListener((s) => {
      if (s === RegistererState.Registered) this.#setState("registered");
      else if (s === RegistererState.Unregistered && this.state === "registered")
        this.#setState("unregistered");
    });
    await this.#register();
  }

  #register() {
    this.#setState("registering");
    return this.#registerer.register({
      requestDelegate: {
        // Also on a refresh of a registration sip.js still counts as registered (no state change).
        onAccept: () => this.#setState("registered"),
        onReject: (response) => this.#setState(`failed: ${statusOf(response)}`),
      },
    });
  }

  async stop() {
    for (const call of this.calls) if (call.state !== "ended") await call.hangup();
    if (this.#registerer && this.state === "registered") await this.#registerer.unregister().catch(() => {});
    await this.#ua.stop().catch(() => {});
    this.#setState("unregistered");
  }

  call(number) {
    let target;
    try {
      target = targetUri(this.SIP, number, this.domain);
    } catch (error) {
      this.error(error);
      return undefined;
    }
    return this.#invite(target, number);
  }

  /**
   * A 3-way (or larger) conference mixed by the emulator: INVITE its focus, then REFER each
   * call into it (Refer-To that call's dialog with Replaces); the connector ends our leg of
   * each call and mixes its party in.
   */
  async conference(members) {
    const focus = this.#invite(
      this.SIP.UserAgent.makeURI(`sip:${CONFERENCE_USER}@${this.domain}`),
      "Conference",
    );
    focus.conference = true;
    try {
      await focus.established();
      for (const member of members) await focus.bringIn(member);
    } catch (error) {
      this.error(error);
    }
  }

  #invite(target, label) {
    const inviter = new this.SIP.Inviter(this.#ua, target, { sessionDescriptionHandlerOptions: AUDIO_ONLY });
    const call = this.#add(new PhoneCall(this, inviter, "outgoing", label));
    inviter
      .invite({
        requestDelegate: {
          onReject: (response) => {
            call.note = statusOf(response);
            this.changed();
          },
        },
      })
      .catch((error) => this.error(error));
    return call;
  }

  /** The established call not on hold, if any. */
  get active() {
    return this.calls.find((c) => c.state === "established" && !c.held);
  }

  playAudio(call) {
    const stream = call.sdh?.remoteMediaStream;
    if (!stream) return;
    let element = this.audio.querySelector(`audio[data-call="${call.id}"]`);
    if (!element) {
      element = document.createElement("audio");
      element.autoplay = true;
      element.dataset.call = String(call.id);
      this.audio.append(element);
    }
    element.srcObject = stream;
    element.play().catch(() => {});
  }

  ended(call) {
    this.audio.querySelector(`audio[data-call="${call.id}"]`)?.remove();
    setTimeout(() => {
      this.calls = this.calls.filter((c) => c !== call);
      this.changed();
    }, ENDED_SHOWN_MS);
  }

  #incoming(invitation) {
    const identity = invitation.remoteIdentity;
    const remote = identity.displayName
      ? `${identity.displayName} <${identity.uri.user}>`
      : identity.uri.user;
    this.#add(new PhoneCall(this, invitation, "incoming", remote));
  }

  #add(call) {
    this.calls.push(call);
    this.changed();
    return call;
  }

  #setState(state) {
    this.state = state;
    this.changed();
  }
}

function statusOf(response) {
  return `${response.message.statusCode} ${response.message.reasonPhrase}`;
}
