/**
 * Keeps an admin view's data fresh. `task` runs now, again at once when one of `events` arrives
 * on the live stream (live.js; `accept(data)` may pass over events of other tenants), and on a
 * timer: every `pollMs` while the stream is down, every `livePollMs` (a safety net) while it is
 * live, never while it is off (paused). Runs never overlap: what arrives during one runs once
 * after it. A run that throws is reported once per failure streak. Answers the stop function.
 */
import { connection, onStateChange, subscribe } from "./live.js";

export function watch(
  task,
  { report, events = [], accept = () => true, pollMs = 2000, livePollMs = 30_000 },
) {
  let timer;
  let stopped = false;
  let running = false;
  let again = false;
  let failing = false;

  const schedule = () => {
    clearTimeout(timer);
    // "off": the reader paused the page (or left it); "resume" opens the stream and runs the task.
    if (stopped || connection.state === "off") return;
    timer = setTimeout(run, connection.state === "live" ? livePollMs : pollMs);
  };
  const run = async () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    clearTimeout(timer);
    try {
      // A hidden tab asks for nothing; the next tick after it shows again catches up.
      if (!document.hidden) await task();
      failing = false;
    } catch (error) {
      if (!failing && !stopped) report(error);
      failing = true;
    }
    running = false;
    if (again) {
      again = false;
      run();
    } else schedule();
  };

  const unsubscribe = [
    ...events.map((type) =>
      subscribe(type, (data) => {
        if (accept(data)) run();
      }),
    ),
    // Back from polling to live (or the reverse): the events missed meanwhile are caught up now.
    onStateChange(() => run()),
  ];
  run();
  return () => {
    stopped = true;
    clearTimeout(timer);
    for (const off of unsubscribe) off();
  };
}
