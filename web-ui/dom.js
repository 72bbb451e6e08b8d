/**
 * DOM helpers. Server data only ever becomes text nodes or attribute values, never markup:
 * traces and call parties carry attacker-controlled SIP.
 */

/** An element; `on*` props become listeners, children are nodes or text (null/false skipped). */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Number.POSITIVE_INFINITY)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** A table with a header row; `rows` are <tr> elements. */
export function table(headings, rows, className = "") {
  return h(
    "div",
    { class: "scroll" },
    h(
      "table",
      { class: className },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          headings.map((text) => h("th", { scope: "col" }, text)),
        ),
      ),
      h("tbody", {}, rows),
    ),
  );
}

const rendered = new WeakMap();

/** Replace a container's content only when its data changed, so selections and focus survive a poll. */
export function renderIfChanged(container, data, render) {
  const key = JSON.stringify(data);
  if (rendered.get(container) === key) return;
  rendered.set(container, key);
  container.replaceChildren(...[render(data)].flat(Number.POSITIVE_INFINITY));
}

/** Forget what a container showed (after the token is forgotten). */
export function clear(container) {
  rendered.delete(container);
  container.replaceChildren();
}

/** An ISO time as "YYYY-MM-DD HH:MM:SS" (UTC), or a dash. */
export function time(iso) {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 19)}` : "—";
}

/** Milliseconds as "1h 02m 03s", "2m 05s" or "4.2 s". */
export function duration(ms) {
  if (ms === null || ms === undefined) return "—";
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  const parts = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const pad = (n) => String(n).padStart(2, "0");
  return parts[0] > 0 ? `${parts[0]}h ${pad(parts[1])}m ${pad(parts[2])}s` : `${parts[1]}m ${pad(parts[2])}s`;
}

/** A compact one-line JSON of a rule part, without the noise of empty objects. */
export function compact(value) {
  if (value === undefined || value === null) return "—";
  const text = JSON.stringify(value);
  return text === "{}" ? "any" : text;
}
