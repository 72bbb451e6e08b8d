/**
 * The "new fault rule" form: one set of fields per layer and action (docs/faults.md), posted as
 * is to POST /api/admin/faults. The emulator validates; each of its messages is shown next to
 * the field it names (`errors[].field`, e.g. "fault.action.status").
 */
import { ApiFailure, request } from "./api.js";
import { h } from "./dom.js";

const text = (key, label, hint) => ({ key, label, kind: "text", hint });
const int = (key, label, hint) => ({ key, label, kind: "int", hint });
const num = (key, label, hint) => ({ key, label, kind: "number", hint });
const list = (key, label, hint) => ({ key, label, kind: "list", hint });
const array = (key, label, hint) => ({ key, label, kind: "array", hint });
const choice = (key, label, choices) => ({ key, label, kind: "choice", choices });
const bool = (key, label) => ({ key, label, kind: "bool", choices: ["", "true", "false"] });

const DELAY = [int("ms", "ms"), int("minMs", "min ms"), int("maxMs", "max ms")];

/** Per layer: its match keys and its actions with their parameters (docs/faults.md). */
export const LAYERS = {
  sip: {
    match: [
      choice("direction", "direction", ["", "in", "out"]),
      choice("message", "message", ["", "request", "response"]),
      list("method", "method", "REGISTER or INVITE, BYE"),
      int("status", "status"),
      int("statusClass", "status class", "2 for 2xx"),
      text("trunk", "trunk", "id, name or username"),
      text("tenant", "tenant", "id or name"),
      text("user", "user", "number or id"),
    ],
    actions: {
      respond: [
        int("status", "status", "200–699"),
        text("reason", "reason"),
        int("retryAfter", "Retry-After (s)"),
        text("warning", "Warning text"),
      ],
      delay: DELAY,
      drop: [],
      close: [],
      reset: [],
      corrupt: [choice("mode", "mode", ["", "start-line", "content-length", "garble"])],
      modify: [
        text("removeHeader", "remove header"),
        text("setHeader.name", "set header"),
        text("setHeader.value", "to value"),
      ],
      "alg-rewrite": [
        text("publicAddress", "public address", "127.0.0.2"),
        array("rewrite", "rewrite", "contact, via, sdp"),
        bool("portPerRefresh", "new port per refresh"),
      ],
    },
  },
  tls: {
    match: [text("remoteAddress", "PBX address")],
    actions: {
      refuse: [],
      stall: [],
      "expired-certificate": [],
      "wrong-host-certificate": [text("host", "host", "wrong-host.invalid")],
      "untrusted-certificate": [],
      "limit-version": [
        choice("minVersion", "min version", ["", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]),
        choice("maxVersion", "max version", ["", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]),
      ],
    },
  },
  http: {
    match: [
      text("method", "method", "GET"),
      text("path", "path glob", "/api/connector/v1/**"),
      text("pathPattern", "path regex"),
      text("tenant", "tenant", "id or name"),
    ],
    actions: {
      respond: [
        int("status", "status", "400–599"),
        text("code", "code", "fault_injected"),
        text("detail", "detail"),
        int("retryAfter", "Retry-After (s)"),
      ],
      delay: DELAY,
      close: [],
    },
  },
  rtp: {
    match: [
      choice("direction", "direction", ["", "in", "out"]),
      text("callId", "call id", "call-000001"),
      text("tenant", "tenant"),
      text("trunk", "trunk"),
    ],
    actions: {
      drop: [num("percent", "loss %", "0–100")],
      delay: [int("ms", "ms"), int("jitterMs", "jitter ms")],
      stop: [choice("direction", "direction", ["send", "receive"])],
      ssrc: [int("ssrc", "SSRC")],
    },
  },
  stun: {
    match: [text("remoteAddress", "client address"), choice("transport", "transport", ["", "udp", "tcp"])],
    actions: {
      "no-answer": [],
      "wrong-mapped-address": [text("address", "address", "198.51.100.1"), int("port", "port")],
      delay: DELAY,
    },
  },
  csta: {
    match: [
      list("service", "service", "MakeCall or DeliveredEvent"),
      text("trunk", "trunk", "id, name or username"),
      text("tenant", "tenant", "id or name"),
      text("user", "user", "callno or id"),
    ],
    actions: {
      "session-refuse": [int("status", "status", "403"), text("reason", "reason", "Forbidden")],
      "no-response": [],
      error: [
        choice("category", "category", [
          "",
          "operation",
          "security",
          "stateIncompatibility",
          "systemResourceAvailability",
          "subscribedResourceAvailability",
          "performanceManagement",
          "privateData",
          "unspecified",
        ]),
        text("value", "value", "invalidDeviceID"),
      ],
      "drop-event": [],
    },
  },
};

const WHEN = [
  int("firstN", "first N"),
  int("everyNth", "every Nth"),
  num("probability", "probability", "0–1"),
  int("maxHits", "max hits"),
  int("seed", "seed"),
  text("from", "from (UTC)", "2030-01-01T10:00:00Z"),
  text("until", "until (UTC)"),
];

/** Builds the form in `container`; a created rule is reported and the page refreshed. */
export function setupFaultForm(container, { refreshNow, report }) {
  const layer = h(
    "select",
    { id: "fault-layer", name: "layer", "data-field": "layer" },
    Object.keys(LAYERS).map((l) => h("option", { value: l }, l)),
  );
  const actionType = h("select", {
    id: "fault-action-type",
    name: "action.type",
    "data-field": "action.type",
  });
  const matchBox = h("div", { class: "field-grid", id: "fault-match" });
  const actionBox = h("div", { class: "field-grid", id: "fault-action" });
  const general = h("p", { class: "field-error", id: "fault-form-error", role: "alert", hidden: true });
  const head = h(
    "div",
    { class: "field-grid" },
    labelled("layer", layer, "layer"),
    labelled("action", actionType, "action.type"),
    field(text("id", "id", "optional"), "fault"),
    field(text("name", "name", "optional"), "fault"),
  );
  const whenBox = h(
    "div",
    { class: "field-grid" },
    WHEN.map((f) => field(f, "when")),
  );

  const form = h(
    "form",
    { id: "fault-form", class: "fault-form", novalidate: true },
    head,
    h("fieldset", {}, h("legend", {}, "match (empty: everything of the layer)"), matchBox),
    h("fieldset", {}, h("legend", {}, "action"), actionBox),
    h("details", {}, h("summary", {}, "when (targeting, emulator clock)"), whenBox),
    general,
    h("div", { class: "toolbar" }, h("button", { type: "submit", id: "fault-create" }, "create fault rule")),
  );

  const showLayer = () => {
    const spec = LAYERS[layer.value];
    actionType.replaceChildren(...Object.keys(spec.actions).map((a) => h("option", { value: a }, a)));
    matchBox.replaceChildren(...spec.match.map((f) => field(f, "match")));
    showAction();
  };
  const showAction = () => {
    const params = LAYERS[layer.value].actions[actionType.value] ?? [];
    actionBox.replaceChildren(
      ...(params.length === 0
        ? [h("span", { class: "muted" }, "no parameters")]
        : params.map((f) => field(f, "action"))),
    );
  };
  layer.addEventListener("change", showLayer);
  actionType.addEventListener("change", showAction);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form, general);
    const rule = ruleOf(form, layer.value, actionType.value);
    try {
      const created = await (await request("/api/admin/faults", { method: "POST", json: rule })).json();
      report(`Fault rule "${created.id}" created (${created.layer} ${created.action.type}).`);
      for (const input of form.querySelectorAll("input")) input.value = "";
      refreshNow();
    } catch (error) {
      showErrors(form, general, error);
    }
  });

  showLayer();
  container.replaceChildren(form);
}

function labelled(label, control, path) {
  return h(
    "label",
    { class: "field" },
    h("span", { class: "field-label" }, label),
    control,
    h("span", { class: "field-error", "data-error-for": path, role: "alert" }),
  );
}

/** One input named by its rule path ("action.status"); `section` is match, action, when or fault (top level). */
function field(spec, section) {
  const path = section === "fault" ? spec.key : `${section}.${spec.key}`;
  const id = `fault-${path.replaceAll(".", "-")}`;
  const control =
    spec.kind === "choice" || spec.kind === "bool"
      ? h(
          "select",
          { id, name: path, "data-field": path, "data-kind": spec.kind },
          spec.choices.map((c) => h("option", { value: c }, c === "" ? "any" : c)),
        )
      : h("input", {
          id,
          name: path,
          "data-field": path,
          "data-kind": spec.kind,
          // Numbers are typed as text: the emulator's message for "abc" is clearer than an empty value.
          inputmode: spec.kind === "int" || spec.kind === "number" ? "decimal" : undefined,
          placeholder: spec.hint,
          autocomplete: "off",
          spellcheck: "false",
        });
  return labelled(spec.label, control, path);
}

/** The rule as JSON: empty fields left out, numbers as numbers when they read as one, lists split. */
function ruleOf(form, layer, type) {
  const rule = { layer, action: { type } };
  for (const control of form.querySelectorAll("[data-kind]")) {
    const raw = control.value.trim();
    if (raw === "") continue;
    const kind = control.dataset.kind;
    let value = raw;
    if ((kind === "int" || kind === "number") && /^-?\d+(\.\d+)?$/.test(raw)) value = Number(raw);
    if (kind === "list" || kind === "array") {
      const items = raw.split(/[\s,]+/).filter(Boolean);
      value = items.length === 1 && kind === "list" ? items[0] : items;
    }
    if (kind === "bool") value = raw === "true";
    setPath(rule, control.dataset.field.split("."), value);
  }
  return rule;
}

function setPath(target, keys, value) {
  let node = target;
  for (const key of keys.slice(0, -1)) {
    node[key] ??= {};
    node = node[key];
  }
  node[keys.at(-1)] = value;
}

function clearErrors(form, general) {
  for (const span of form.querySelectorAll("[data-error-for]")) span.textContent = "";
  for (const control of form.querySelectorAll("[aria-invalid]")) control.removeAttribute("aria-invalid");
  general.hidden = true;
  general.textContent = "";
}

/** Each problem beside its field ("fault.action.status" → the action.status input); the rest below the form. */
function showErrors(form, general, error) {
  const problems = error instanceof ApiFailure && Array.isArray(error.body?.errors) ? error.body.errors : [];
  const unplaced = [];
  for (const p of problems) {
    const path = String(p.field ?? "").replace(/^(fault|body)\./, "");
    const span = fieldErrorFor(form, path);
    if (!span) {
      unplaced.push(p.field ? `${path}: ${p.message}` : p.message);
      continue;
    }
    span.textContent = span.textContent ? `${span.textContent}; ${p.message}` : p.message;
    span.parentElement.querySelector("[data-field]")?.setAttribute("aria-invalid", "true");
  }
  if (problems.length === 0 || unplaced.length > 0) {
    general.textContent = [error.message, ...unplaced].join(" — ");
    general.hidden = false;
  }
}

/** The error slot of the field at `path`, or of its nearest parent that has one ("action.setHeader" → none). */
function fieldErrorFor(form, path) {
  const parts = path.split(".");
  while (parts.length > 0) {
    const span = form.querySelector(`[data-error-for="${CSS.escape(parts.join("."))}"]`);
    if (span) return span;
    parts.pop();
  }
  return undefined;
}
