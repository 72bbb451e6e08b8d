/**
 * A rule of the domain was broken. `code` is stable snake_case (REST problem `code`,
 * seed messages); `field` is the path of the offending input, e.g. "emailAddress" or
 * "numbering.countryCode", when one field is to blame.
 */
export class DomainError extends Error {
  override readonly name = "DomainError";

  constructor(
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}
