import type { Problem } from "./types.js";

/** A non-2xx answer: the problem+json body, with its stable `code`. */
export class EmulatorApiError extends Error {
  override readonly name = "EmulatorApiError";

  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(`${status} ${problem.code}: ${problem.detail ?? problem.title}`);
  }

  get code(): string {
    return this.problem.code;
  }
}
