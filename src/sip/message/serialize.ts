import { headerEntries } from "./headers.js";
import type { SipMessage } from "./message.js";

/**
 * Wire form: start line, header lines in order (lines received unchanged are written byte
 * for byte), Content-Length recomputed from the body (at the place of the first one, or
 * last), empty line, body.
 */
export function serialize(message: SipMessage): Buffer {
  let text =
    message.kind === "request"
      ? `${message.method} ${message.uri} ${message.version}\r\n`
      : `${message.version} ${message.status} ${message.reason}\r\n`;
  const length = String(message.body.length);
  let lengthWritten = false;
  for (const entry of headerEntries(message.headers)) {
    if (entry.key === "content-length") {
      if (lengthWritten) continue;
      lengthWritten = true;
      text += entry.raw !== undefined && entry.value === length ? entry.raw : `Content-Length: ${length}`;
    } else {
      text += entry.raw ?? `${entry.name}: ${entry.value}`;
    }
    text += "\r\n";
  }
  if (!lengthWritten) text += `Content-Length: ${length}\r\n`;
  text += "\r\n";
  if (message.body.length === 0) return Buffer.from(text, "utf8");
  const headLength = Buffer.byteLength(text, "utf8");
  const out = Buffer.allocUnsafe(headLength + message.body.length);
  out.write(text, 0, "utf8");
  message.body.copy(out, headLength);
  return out;
}
