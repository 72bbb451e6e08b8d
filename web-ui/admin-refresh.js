/**
 * Keeps an admin view's data fresh: runs `task` now, then again every `ms` until stopped.
 * A run that throws is reported once per failure streak and retried on the next tick.
 */
export function every(ms, task, report) {
  let timer;
  let stopped = false;
  let failing = false;
  const run = async () => {
    try {
      // A hidden tab asks for nothing; the next tick after it shows again catches up.
      if (!document.hidden) await task();
      failing = false;
    } catch (error) {
      if (!failing && !stopped) report(error);
      failing = true;
    }
    if (!stopped) timer = setTimeout(run, ms);
  };
  run();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
