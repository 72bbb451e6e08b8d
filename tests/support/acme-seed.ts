import { TRUNK } from "./emulator.js";

/** Acme's API key in `acmeSeed()` (the one the scenarios and README use). */
export const ACME_API_KEY = "acme-key-0001-t7m7w6ToB8iPQCFUNQuX";

/**
 * Seed text: tenant Acme (API key ACME_API_KEY) with system osbiz-1 (international numbering +49 2302 667…) trunked
 * by the test TRUNK, and user al@acme.test on 2131, i.e. +4923026672131. `moreUsers` are
 * further user entries (YAML flow maps).
 */
export function acmeSeed(...moreUsers: string[]): string {
  const users = [
    '{ emailAddress: al@acme.test, firstName: Al, lastName: Ace, locale: de-DE, callno: "2131", system: osbiz-1 }',
    ...moreUsers,
  ];
  return `
tenants:
  - name: Acme
    apiKey: ${ACME_API_KEY}
    systems:
      - systemId: osbiz-1
        numbering: { schema: international, countryCode: "49", areaCode: "2302", pabxNumber: "667" }
        trunk: { username: "${TRUNK.username}", password: "${TRUNK.password}" }
    users:
${users.map((u) => `      - ${u}\n`).join("")}`;
}
