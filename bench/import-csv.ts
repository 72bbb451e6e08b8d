const FIRST_NAMES = [
  "Anna",
  "Jürgen",
  "Zoë",
  "José",
  "Mohammed",
  "Sophie",
  "Łukasz",
  "Emma",
  "Noah",
  "Chloé",
  "Björn",
  "Ana Sofía",
];
const LAST_NAMES = [
  "Müller",
  "Schmidt",
  "Ñúñez",
  "Dubois",
  "Rossi",
  "Groß",
  "van Dijk",
  "García López",
  "O'Brien",
  "Kowalski",
  "Doe, Jr.",
  "Lindqvist",
  "Yılmaz",
];
const LOCALES = ["de-DE", "en-US", "en-GB", "fr-FR", "it-IT", "es-ES", "nl-NL"];

/** The first callno; 100000–199999 on a 49/2302/667 trunk give 15-digit numbers, E.164's maximum. */
const FIRST_CALLNO = 100_000;

const asciiOf = (name: string): string =>
  name
    .normalize("NFD")
    .replace(/[^A-Za-z]/g, "")
    .toLowerCase();

/**
 * A user import as the Unify Phone admin app's CSV: header, then `count` distinct users
 * (non-ASCII names, a quoted name with a comma, every locale, a callno each, some roles
 * and DIDs), CRLF line ends like Excel. Callnos must fit the trunk's numbering.
 */
export function usersCsv(count: number, domain: string): Buffer {
  const lines = ["emailAddress,firstName,lastName,locale,role,callno,did"];
  for (let i = 0; i < count; i++) {
    const first = FIRST_NAMES[i % FIRST_NAMES.length]!;
    const last = LAST_NAMES[Math.floor(i / FIRST_NAMES.length) % LAST_NAMES.length]!;
    const email = `${asciiOf(first)}.${asciiOf(last)}.${i}@${domain}`;
    const lastCell = last.includes(",") ? `"${last}"` : last;
    const role = i % 50 === 0 ? "admin" : "user";
    const did = i % 4 === 0 ? String(5_000_000 + i) : "";
    lines.push(
      `${email},${first},${lastCell},${LOCALES[i % LOCALES.length]},${role},${FIRST_CALLNO + i},${did}`,
    );
  }
  return Buffer.from(`${lines.join("\r\n")}\r\n`, "utf8");
}
