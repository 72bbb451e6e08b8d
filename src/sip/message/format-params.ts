/** Writes `;name` / `;name=value` for each header parameter, values as stored (quotes kept). */
export function formatParams(params: Record<string, string | null>): string {
  let out = "";
  for (const name in params) {
    const value = params[name];
    out += value === null || value === undefined ? `;${name}` : `;${name}=${value}`;
  }
  return out;
}
