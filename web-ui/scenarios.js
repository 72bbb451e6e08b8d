/**
 * The Scenarios panel: every scenarios/*.yaml with its symptom; its cause and expected outcome
 * on demand; apply, then what the apply did (tenants, fault rules, clock, registrar policy).
 */
import { getJson, request } from "./api.js";
import { h, table, time } from "./dom.js";

/** Details read once per scenario name (files do not change while the page is open). */
const details = new Map();

/** Lists the scenarios in `container` (once after login); `result` shows the last apply. */
export async function setupScenarios(container, result, { refreshNow, report }) {
  const scenarios = await getJson("/api/admin/scenarios");
  if (scenarios.length === 0) {
    container.replaceChildren(h("p", { class: "empty" }, "No scenarios in scenarios/."));
    return;
  }
  const apply = async (name) => {
    if (!window.confirm(`Apply scenario "${name}"? Its faults replace those of the previous scenario.`))
      return;
    try {
      const applied = await (
        await request(`/api/admin/scenarios/${encodeURIComponent(name)}/apply`, { method: "POST" })
      ).json();
      result.replaceChildren(appliedView(applied));
      result.hidden = false;
      report(
        `Scenario "${applied.scenario}" applied: ${applied.faults.added.length} fault rule(s) added, ${applied.faults.removed.length} removed.`,
      );
    } catch (error) {
      report(error);
    }
    refreshNow();
  };
  container.replaceChildren(...scenarios.map((s) => scenarioView(s, apply)));
}

/** Forget what was shown (the token was dropped). */
export function resetScenarios(container, result) {
  details.clear();
  container.replaceChildren();
  result.replaceChildren();
  result.hidden = true;
}

function scenarioView(s, apply) {
  const more = h("div", { class: "scenario-more" }, h("p", { class: "muted" }, "loading…"));
  const toggle = h(
    "details",
    {
      ontoggle: async (event) => {
        if (!event.target.open || details.has(s.name)) return;
        try {
          details.set(s.name, await getJson(`/api/admin/scenarios/${encodeURIComponent(s.name)}`));
          more.replaceChildren(...explain(details.get(s.name)));
        } catch (error) {
          more.replaceChildren(h("p", { class: "error" }, error.message));
        }
      },
    },
    h("summary", {}, "cause and expected outcome"),
    more,
  );
  return h(
    "article",
    { class: "scenario", "data-scenario": s.name },
    h(
      "div",
      { class: "scenario-head" },
      h("h3", {}, s.name),
      h(
        "button",
        { type: "button", class: "apply", disabled: Boolean(s.error), onclick: () => apply(s.name) },
        "apply",
      ),
    ),
    h("p", {}, s.description),
    h("p", { class: "symptom" }, h("strong", {}, "Symptom: "), s.symptom),
    s.error && h("p", { class: "error" }, s.error),
    toggle,
  );
}

function explain(d) {
  return [
    h("p", { class: "cause" }, h("strong", {}, "Cause: "), d.cause),
    h("p", { class: "outcome" }, h("strong", {}, "Expected outcome: "), d.expect?.outcome ?? "—"),
    d.faults.length > 0 &&
      h(
        "ul",
        { class: "scenario-faults" },
        d.faults.map((f) =>
          h("li", { class: "mono" }, `${f.id ?? "(generated id)"}: ${f.layer} ${f.action?.type}`),
        ),
      ),
    d.run?.length > 0 && h("pre", { class: "run" }, d.run.join("\n")),
  ];
}

/** What one apply did, as its answer says. */
function appliedView(a) {
  const tenants = a.tenants.map((t) =>
    h(
      "tr",
      {},
      h("td", {}, t.name),
      h("td", { class: "mono" }, t.id),
      h("td", {}, t.created ? "created" : "kept"),
    ),
  );
  const faults = a.faults.added.map((f) =>
    h(
      "tr",
      { "data-fault-id": f.id },
      h("td", { class: "mono" }, f.id),
      h("td", {}, f.layer),
      h("td", {}, f.action.type),
    ),
  );
  return h(
    "div",
    { class: "scenario-applied", "data-scenario": a.scenario },
    h("h3", {}, `Applied: ${a.scenario}`),
    a.symptom && h("p", { class: "symptom" }, h("strong", {}, "Symptom: "), a.symptom),
    a.expect?.outcome &&
      h("p", { class: "outcome" }, h("strong", {}, "Expected outcome: "), a.expect.outcome),
    h(
      "p",
      { class: "muted" },
      `clock ${time(a.clock.now)} UTC${a.clock.frozen ? " (frozen)" : ""}`,
      a.clock.advancedMs ? ` · advanced ${Math.round(a.clock.advancedMs / 1000)} s` : "",
      ` · duplicate registrations: ${a.registrar.duplicateRegistration ?? "—"}`,
      a.faults.removed.length > 0 ? ` · removed fault rules: ${a.faults.removed.join(", ")}` : "",
    ),
    tenants.length > 0 && table(["tenant", "id", ""], tenants),
    faults.length > 0
      ? table(["fault rule", "layer", "action"], faults)
      : h("p", { class: "empty" }, "No fault rules added."),
  );
}
