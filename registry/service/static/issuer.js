"use strict";
// The issuer page: GET /api/issuers/{did}/check and show the chain from the issuer up to its root.

const KINDS = { RootTAO: N_("Top authority (Root TAO)"), TAO: N_("Accreditation body (TAO)"), TI: N_("Trusted issuer (TI)") };

// What the service reads as a DID (registry/formats/did.py): did:, a method, an identifier.
const DID = /^did:[a-z0-9]+:\S+$/;

// What each revision of an accreditation did, and why (registry/ops/trust: REASONS), in words.
const CHANGES = {
  "accredited": N_("Accredited by {actor}"), "onboarded": N_("Onboarded as a top authority by {actor}"),
  "suspended": N_("Suspended by {actor}"), "reinstated": N_("Reinstated by {actor}"),
  "revoked": N_("Revoked by {actor}"), "revoked for cause": N_("Revoked for cause by {actor}"),
};
const REASONS = { 1: N_("requirements no longer met"), 2: N_("fraud"), 3: N_("audit pending"), 4: N_("audit passed") };

// The answer shown last (and the issuer's history), shown again when the language changes
// (registry/service/static/i18n.js).
let SHOWN = null;
let HISTORY = null;
document.addEventListener("languagechange", () => {
  if (SHOWN) {
    $("chain").replaceChildren();
    $("notes").replaceChildren();
    showChain(SHOWN);
  }
  if (HISTORY) showHistory(HISTORY);
});

// The issuer's own accreditation, revision by revision (the trusted issuers API's `revisions`, as
// `registry issuer history` prints it): when, what, by whom, why. With a date asked, what came
// after it is marked so, and the revision in force on that date is the last one before it.
async function loadHistory(data, asked) {
  const own = data.path.find((link) => link.did === data.did && link.attribute_id);
  if (!own) return;
  const url = `/trusted-issuers-registry/v5/issuers/${encodeURIComponent(data.did)}/attributes/${own.attribute_id}/revisions?page%5Bsize%5D=50`;
  let history;
  try {
    const response = await fetch(url);
    if (!response.ok) throw new Error(String(response.status));
    const list = await response.json();
    history = { items: list.items, total: list.total, at: asked ? data.at : null };
  } catch (error) {
    history = { error: true };
  }
  if (SHOWN !== data) return;  // another check was asked for meanwhile
  showHistory(history);
  $("chain").replaceChildren();
  $("notes").replaceChildren();
  showChain(data, true);
}

function showHistory(history) {
  HISTORY = history;
  const box = $("history");
  box.replaceChildren(element("h2", _("Accreditation history")));
  box.hidden = false;
  if (history.error) {
    box.append(element("p", _("Its history could not be read now; the verdict above stands."), { class: "note" }));
    return;
  }
  const list = element("ol", null, { class: "history" });
  const asked = history.at ? Date.parse(history.at) : null;
  const before = history.items.filter((item) => asked === null || Date.parse(item.timestamp) <= asked);
  const inForce = asked === null ? null : before[before.length - 1];
  for (const item of history.items) {
    const after = asked !== null && Date.parse(item.timestamp) > asked;
    const line = element("li", null, { "data-change": item.change, "data-after-date": String(after) });
    const actor = item.actorName ? `${item.actorName} (${item.actor})` : item.actor;
    const what = element("span", null, { class: "what" });
    what.append(...fmtNodes(_(CHANGES[item.change] || item.change), { actor }));
    line.append(timeElement(item.timestamp), " ", what);
    if (REASONS[item.reason]) line.append(fmt(_(": {reason}"), { reason: _(REASONS[item.reason]) }));
    // Revoked for cause: void from an earlier date than the revocation itself.
    if (item.effectiveFrom !== item.timestamp) line.append(" ", ...fmtNodes(_("(void from {time})"), { time: timeElement(item.effectiveFrom) }));
    if (item === inForce) line.append(" ", element("span", _("the state on the date asked"), { class: "badge", "data-verdict": "asked" }));
    if (after) line.append(" ", element("span", _("after the date asked"), { class: "badge", "data-verdict": "not relied on" }));
    list.append(line);
  }
  box.append(list);
  if (history.total > history.items.length) box.append(element("p", fmt(_("The first {shown} of {total} revisions."), { shown: history.items.length, total: history.total }), { class: "note" }));
}

// `again`: the chain drawn again (names learnt from the history), the verdict left as it is.
function showChain(data, again) {
  SHOWN = data;
  const chain = $("chain");
  const notes = $("notes");
  // Each link's legal name (its accreditation's), to name the body that accredited the one below it;
  // once the history is read, each revision's actor's too (a chain cut short still names its accreditor).
  const names = new Map(((HISTORY && HISTORY.items) || []).filter((i) => i.actorName).map((i) => [i.actor, i.actorName]));
  for (const l of data.path) if (l.evidence && l.evidence.name) names.set(l.did, l.evidence.name);
  for (const link of data.path) {
    const item = element("li", null, { "data-outcome": link.ok ? "pass" : "fail" });
    // The legal name its accreditation states, when it states one.
    const name = link.evidence && link.evidence.name ? `${link.evidence.name} (${link.did})` : link.did;
    const kind = KINDS[link.issuer_type] ? _(KINDS[link.issuer_type]) : link.issuer_type;
    item.append(element("span", null, { class: "what" }));
    item.lastChild.append(...fmtNodes(_("{kind}: {name}"), { kind, name }));
    const parent = link.evidence && link.evidence.accreditedBy;
    const by = names.has(parent) ? `${names.get(parent)} (${parent})` : parent;
    const message = withTimes(element("bdi"), link.message);
    const detail = element("span", null, { class: "detail" });
    if (parent && parent !== link.did) detail.append(...fmtNodes(_("{message} (accredited by {by})"), { message, by }));
    else detail.append(message);
    item.append(detail);
    chain.append(item);
  }
  // A note the command line translates too (registry/i18n/trustwords.py NOTES) in the page's language; others as written.
  for (const note of data.notes) notes.append(withTimes(element("li", null, { "data-outcome": "skipped" }), _(note)));
  // Accredited through an unbroken chain, but up to a root nobody said they trust (no trust list) or
  // one the trust list leaves out: never the green "Accredited".
  // A service with no trust list answers such a chain "could not determine" (neither trusted nor refused), root named.
  const noList = data.verdict === "could not determine" && data.root && data.trustedRoot === null;
  const untrusted = data.root && (noList || data.trustedRoot === false || (data.ok && data.trustedRoot === null));
  if (again) return;
  if (data.verdict === "could not determine" && !noList) showVerdict("could not determine", _("Could not check"), data.summary);
  else if (untrusted) showVerdict("root not trusted", _("Accredited, but not under an authority you trust"), data.summary);
  else showVerdict(data.ok ? "valid" : "invalid", data.ok ? _("Accredited") : _("Not accredited"), data.summary);
}

async function check() {
  SHOWN = null;
  HISTORY = null;
  $("chain").replaceChildren();
  $("notes").replaceChildren();
  $("history").replaceChildren();
  $("history").hidden = true;
  const did = $("did").value.trim();
  if (!did) {
    showVerdict("error", _("Nothing to check"), _("Enter the issuer's DID (did:ebsi:…), then press Check."));
    return;
  }
  const roots = $("roots").value.split(/\s+/).filter(Boolean);
  const notDid = [did, ...roots].find((text) => !DID.test(text));
  if (notDid) {
    showVerdict("error", _("Not a DID"), fmt(_("“{text}” is not a DID: a DID starts with did: and its method, as did:ebsi:… does."), { text: notDid.slice(0, 80) }));
    return;
  }
  const asked = askedTime($("at"));
  if (asked.error) {
    showVerdict("error", asked.title, asked.error);
    return;
  }
  const params = new URLSearchParams();
  for (const root of roots) params.append("roots", root);
  if (asked.at) params.set("at", asked.at);
  showVerdict("pending", _("Checking…"), "");
  await askService(`/api/issuers/${encodeURIComponent(did)}/check?${params}`, {}, (data) => {
    showChain(data);
    loadHistory(data, Boolean(asked.at));
  });
}

limitDateField($("at"));
$("issuer-form").addEventListener("submit", (event) => { event.preventDefault(); check(); });
const initial = new URLSearchParams(location.search).get("did");
if (initial) { $("did").value = initial; check(); }
