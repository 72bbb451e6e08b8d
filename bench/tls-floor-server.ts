/**
 * The floor of `--compare kamailio`: a bare Node TLS server answering the bench's REGISTERs
 * with the least work that satisfies the load generator — 401 with a fixed nonce when there
 * is no Authorization, else 200 — echoing Via, From, To, Call-ID and CSeq. No parsing beyond
 * indexOf, no digest check, no state: what Node's TLS and event loop cost per exchange.
 * Run as a child process: `node tls-floor-server.js KEY CERT`, prints "port N" when listening,
 * exits when its stdin closes.
 */
import { readFileSync } from "node:fs";
import tls from "node:tls";

const [keyPath, certPath] = process.argv.slice(2);
if (!keyPath || !certPath) throw new Error("usage: tls-floor-server KEY CERT");

function header(head: string, name: string): string {
  const at = head.indexOf(`\r\n${name}: `);
  if (at < 0) return "";
  const end = head.indexOf("\r\n", at + 2);
  return head.slice(at + 2, end < 0 ? head.length : end);
}

function answer(head: string): string {
  const echoed = ["Via", "From", "To", "Call-ID", "CSeq"].map((n) => header(head, n)).join("\r\n");
  if (head.includes("\r\nAuthorization: ")) return `SIP/2.0 200 OK\r\n${echoed}\r\nContent-Length: 0\r\n\r\n`;
  return `SIP/2.0 401 Unauthorized\r\n${echoed}\r\nWWW-Authenticate: Digest realm="phoneapp.unify.com", nonce="floor-nonce", algorithm=MD5, qop="auth"\r\nContent-Length: 0\r\n\r\n`;
}

// The emulator's TLS 1.3 suite order (src/certs/tls-policy.ts): the same cipher as it runs.
const ciphers = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
const server = tls.createServer(
  { key: readFileSync(keyPath), cert: readFileSync(certPath), ciphers },
  (socket) => {
    socket.setNoDelay(true);
    let buffered = "";
    socket.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("latin1");
      let out = "";
      for (let guard = 0; guard < 10_000; guard++) {
        const end = buffered.indexOf("\r\n\r\n");
        if (end < 0) break;
        out += answer(buffered.slice(0, end));
        buffered = buffered.slice(end + 4); // the bench's REGISTERs carry no body
      }
      if (out) socket.write(out);
    });
    socket.on("error", () => socket.destroy());
  },
);
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  console.log(`port ${typeof address === "object" && address ? address.port : 0}`);
});
// The runner holds our stdin: when it goes away, so do we.
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
