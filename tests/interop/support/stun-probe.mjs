// One STUN Binding request (RFC 5389) over UDP and one over TCP to <host>:3478, run where a
// test cannot open sockets itself (inside another network namespace). Prints
// "udp <mapped address> from <answering address>" and "tcp <mapped address>"; exits 1 after 5 s.
import { randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import { connect } from "node:net";

const host = process.argv[2];
const port = 3478;
const COOKIE = 0x2112a442;
setTimeout(() => {
  console.error("no STUN answer within 5 s");
  process.exit(1);
}, 5_000).unref();

function request() {
  const message = Buffer.alloc(20);
  message.writeUInt16BE(0x0001, 0);
  message.writeUInt32BE(COOKIE, 4);
  randomBytes(12).copy(message, 8);
  return message;
}

/** XOR-MAPPED-ADDRESS (IPv4) of a Binding success response. */
function mapped(answer) {
  for (let at = 20; at + 4 <= answer.length; ) {
    const type = answer.readUInt16BE(at);
    const length = answer.readUInt16BE(at + 2);
    if (type === 0x0020) {
      const xport = answer.readUInt16BE(at + 6) ^ (COOKIE >>> 16);
      const ip = [0, 1, 2, 3].map((i) => answer[at + 8 + i] ^ ((COOKIE >>> (24 - 8 * i)) & 0xff));
      return `${ip.join(".")}:${xport}`;
    }
    at += 4 + length + ((4 - (length % 4)) % 4);
  }
  return "none";
}

const udp = createSocket("udp4");
const overUdp = new Promise((resolve) => {
  udp.once("message", (answer, from) => {
    console.log(`udp ${mapped(answer)} from ${from.address}:${from.port}`);
    udp.close();
    resolve();
  });
});
udp.send(request(), port, host);
await overUdp;

const tcp = connect(port, host);
tcp.on("connect", () => tcp.write(request()));
await new Promise((resolve) => {
  tcp.once("data", (answer) => {
    console.log(`tcp ${mapped(answer)}`);
    tcp.destroy();
    resolve();
  });
});
