import type { Logger } from "pino";

type Step = () => Promise<void> | void;

/** What the start built, to undo in reverse order; one failing step does not stop the others. */
export class Cleanup {
  private readonly steps: Step[] = [];

  add(step: Step): void {
    this.steps.push(step);
  }

  async run(log: Logger): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step();
      } catch (err) {
        log.warn({ err }, "error during shutdown");
      }
    }
  }
}
