import type { SipMessage } from "../message/index.js";
import type { SipConnection } from "./connection.js";

/**
 * Answers some messages of a stream connection from their bytes, before the layers parse
 * them (the registrar's refresh shortcut). It must answer exactly as the layers would, and
 * decline whatever it cannot prove it answers the same: the layers then take the message.
 */
export interface MessageShortcut {
  /**
   * The message starting at `data[start]` (a message boundary, nothing buffered before it):
   * its length and the answer to write, or undefined to leave it to the layers. Must not throw.
   * The answer may be the same object each time: read it before the next call.
   */
  take(data: Buffer, start: number, connection: SipConnection): ShortcutAnswer | undefined;
  /**
   * The layers are about to handle `message`, framed from `wire` (a view valid only until this
   * message has been handled): what the shortcut learns its templates from.
   */
  handing(wire: Buffer, message: SipMessage): void;
}

export interface ShortcutAnswer {
  readonly length: number;
  readonly response: Buffer;
}
