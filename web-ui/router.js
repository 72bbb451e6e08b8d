/**
 * Hash routes (`#/tenants/<id>/connector`): views register here and app.js shows the one the hash
 * names. The operator console is the view of `#/` and `#/operator`.
 */

const views = [];

/**
 * A view: `match(parts)` answers its params (an object) for the hash's path parts, or null;
 * `mount(container, params, ctx)` fills the container and may answer a cleanup function.
 */
export function addView(view) {
  views.push(view);
}

/** The hash's path parts, decoded: `#/tenants/te_1/users` → ["tenants", "te_1", "users"]. */
export function routeParts(hash = location.hash) {
  return hash
    .replace(/^#\/?/, "")
    .split("/")
    .filter(Boolean)
    .map((part) => decodeURIComponent(part));
}

/** The hash of a route, each part encoded. */
export function href(...parts) {
  return `#/${parts.map((part) => encodeURIComponent(part)).join("/")}`;
}

/** The view the parts name, with its params; none for the operator console. */
export function findView(parts) {
  for (const view of views) {
    const params = view.match(parts);
    if (params) return { view, params };
  }
  return undefined;
}
