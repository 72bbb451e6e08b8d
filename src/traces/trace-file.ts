import fs from "node:fs";
import type { TraceEntry } from "./trace-entry.js";

/** Lines held in memory for a slow disk before new ones are dropped (and counted). */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/**
 * Appends each trace entry as one JSON line. The file is created 0600 (SIP traces carry
 * digest credentials' responses and phone numbers) and opened at once, so a bad path fails
 * at startup rather than on the first message.
 */
export class TraceFile {
  private readonly stream: fs.WriteStream;
  private droppedLines = 0;
  private failed = false;

  constructor(
    readonly path: string,
    onError: (error: Error) => void = () => {},
  ) {
    const fd = fs.openSync(path, "a", 0o600);
    this.stream = fs.createWriteStream(path, { fd, flags: "a" });
    this.stream.on("error", (error) => {
      this.failed = true;
      onError(error);
    });
  }

  /** Lines not written because the disk fell behind or the file failed. */
  get dropped(): number {
    return this.droppedLines;
  }

  append(entry: TraceEntry): void {
    if (this.failed || this.stream.writableLength > MAX_BUFFERED_BYTES) {
      this.droppedLines++;
      return;
    }
    this.stream.write(`${JSON.stringify(entry)}\n`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.stream.closed || this.stream.destroyed) resolve();
      else this.stream.end(() => resolve());
    });
  }
}
