import { parseMessage } from "./src/sip/message/index.js";

const reg = Buffer.from(
  [
    "REGISTER sip:phoneapp.unify.com SIP/2.0",
    "Via: SIP/2.0/TLS 192.168.1.10:5061;branch=z9hG4bK776asdhds;rport",
    "Max-Forwards: 70",
    "To: <sip:3919209257@phoneapp.unify.com>",
    "From: <sip:3919209257@phoneapp.unify.com>;tag=456248",
    "Call-ID: 843817637684230@998sdasdh09",
    "CSeq: 1826 REGISTER",
    "Contact: <sip:3919209257@192.168.1.10:5061;transport=tls>;expires=600",
    "User-Agent: OpenScape Business V3",
    "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, REFER, NOTIFY, INFO",
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n"),
);
for (let i = 0; i < 1000000; i++) {
  const m = parseMessage(reg);
  m.callId;
  m.cseq;
  m.topVia;
  m.from.params.tag;
}
