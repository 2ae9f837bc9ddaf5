"use strict";
// The issuer page: GET /api/issuers/{did}/check and show the chain from the issuer up to its root.

const KINDS = { RootTAO: N_("Top authority (Root TAO)"), TAO: N_("Accreditation body (TAO)"), TI: N_("Trusted issuer (TI)") };

// What the service reads as a DID (registry/formats/did.py): did:, a method, an identifier.
const DID = /^did:[a-z0-9]+:\S+$/;

// The answer shown last, shown again when the language changes (registry/service/static/i18n.js).
let SHOWN = null;
document.addEventListener("languagechange", () => {
  if (SHOWN) {
    $("chain").replaceChildren();
    $("notes").replaceChildren();
    showChain(SHOWN);
  }
});

function showChain(data) {
  SHOWN = data;
  const chain = $("chain");
  const notes = $("notes");
  // Each link's legal name (its accreditation's), to name the body that accredited the one below it.
  const names = new Map(data.path.filter((l) => l.evidence && l.evidence.name).map((l) => [l.did, l.evidence.name]));
  for (const link of data.path) {
    const item = element("li", null, { "data-outcome": link.ok ? "pass" : "fail" });
    // The legal name its accreditation states, when it states one.
    const name = link.evidence && link.evidence.name ? `${link.evidence.name} (${link.did})` : link.did;
    const kind = KINDS[link.issuer_type] ? _(KINDS[link.issuer_type]) : link.issuer_type;
    item.append(element("span", null, { class: "what" }));
    item.lastChild.append(...fmtNodes(_("{kind}: {name}"), { kind, name }));
    const parent = link.evidence && link.evidence.accreditedBy;
    const by = names.has(parent) ? `${names.get(parent)} (${parent})` : parent;
    const detail = parent && parent !== link.did ? fmt(_("{message} (accredited by {by})"), { message: link.message, by }) : link.message;
    item.append(withTimes(element("span", null, { class: "detail" }), detail));
    chain.append(item);
  }
  for (const note of data.notes) notes.append(withTimes(element("li", null, { "data-outcome": "skipped" }), note));
  // Accredited through an unbroken chain, but up to a root nobody said they trust (no trust list) or
  // one the trust list leaves out: never the green "Accredited".
  const untrusted = data.root && (data.trustedRoot === false || (data.ok && data.trustedRoot === null));
  if (data.verdict === "could not determine") showVerdict("could not determine", _("Could not check"), data.summary);
  else if (untrusted) showVerdict("root not trusted", _("Accredited, but not under an authority you trust"), data.summary);
  else showVerdict(data.ok ? "valid" : "invalid", data.ok ? _("Accredited") : _("Not accredited"), data.summary);
}

async function check() {
  SHOWN = null;
  $("chain").replaceChildren();
  $("notes").replaceChildren();
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
  await askService(`/api/issuers/${encodeURIComponent(did)}/check?${params}`, {}, showChain);
}

limitDateField($("at"));
$("issuer-form").addEventListener("submit", (event) => { event.preventDefault(); check(); });
const initial = new URLSearchParams(location.search).get("did");
if (initial) { $("did").value = initial; check(); }
