const UNIT_MS: Record<string, number> = {
  w: 604_800_000,
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
};

/**
 * A duration in ms from ISO 8601 (`P31D`, `PT1H30M`, `P1W`, `PT0.5S`) or the compact
 * form (`31d`, `2h30m`, `90s`, `500ms`). Years and months are refused: their length
 * depends on the date. Returns undefined when the text is neither.
 */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  const iso =
    /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(
      t,
    );
  if (iso && t.length > 1 && !/T$/i.test(t)) {
    const [, w, d, h, m, s] = iso.map((v) => (v === undefined ? 0 : Number(v)));
    return Math.round((w! * 7 * 24 * 3600 + d! * 24 * 3600 + h! * 3600 + m! * 60 + s!) * 1000);
  }
  if (!/^(\d+(?:\.\d+)?(ms|w|d|h|m|s))+$/i.test(t)) return undefined;
  let total = 0;
  for (const part of t.matchAll(/(\d+(?:\.\d+)?)(ms|w|d|h|m|s)/gi)) {
    total += Number(part[1]) * UNIT_MS[part[2]!.toLowerCase()]!;
  }
  return Math.round(total);
}
