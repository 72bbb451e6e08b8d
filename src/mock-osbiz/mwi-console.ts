import { MailboxNotifyError, type MockMailbox, parseMailboxCounts } from "./mailbox.js";

const USAGE = "mwi <callno> <new>/<old> [(<urgent-new>/<urgent-old>)]";

/** The console's `mwi 2131 2/5`: set a user's mailbox counts, which NOTIFYs the connector. */
export async function runMwiCommand(
  mailbox: (callno: string) => Pick<MockMailbox, "set" | "number">,
  args: readonly string[],
  print: (line: string) => void,
): Promise<void> {
  const [callno, ...rest] = args;
  if (!callno || rest.length === 0) throw new Error(`usage: ${USAGE}`);
  const counts = parseMailboxCounts(rest.join(" "));
  const box = mailbox(callno);
  try {
    const response = await box.set(counts);
    print(`mailbox ${box.number}: ${counts.new}/${counts.old} sent, ${response.status} ${response.reason}`);
  } catch (error) {
    if (!(error instanceof MailboxNotifyError)) throw error;
    print(`mailbox ${box.number}: the connector answered ${error.status} ${error.reason}`);
  }
}
