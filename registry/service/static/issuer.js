"use strict";
// The issuer page: GET /api/issuers/{did}/check and show the chain from the issuer up to its root.

const $ = (id) => document.getElementById(id);

function element(tag, text, attrs) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
  return node;
}

const KINDS = { RootTAO: "Top authority (Root TAO)", TAO: "Accreditation body (TAO)", TI: "Trusted issuer (TI)" };

async function check() {
  const did = $("did").value.trim();
  if (!did) return;
  const params = new URLSearchParams();
  for (const root of $("roots").value.split(/\s+/)) if (root) params.append("roots", root);
  if ($("at").value) params.set("at", `${$("at").value}T23:59:59Z`);
  const box = $("verdict");
  $("result").hidden = false;
  const response = await fetch(`/api/issuers/${encodeURIComponent(did)}/check?${params}`);
  const data = await response.json();
  const chain = $("chain");
  const notes = $("notes");
  chain.replaceChildren();
  notes.replaceChildren();
  if (!response.ok) {
    box.dataset.verdict = "error";
    box.replaceChildren(element("span", "Could not check"), element("small", data.detail || response.statusText));
    return;
  }
  box.dataset.verdict = data.ok ? "valid" : "invalid";
  box.replaceChildren(element("span", data.ok ? "Accredited" : "Not accredited"), element("small", data.summary));
  for (const link of data.path) {
    const item = element("li", null, { "data-outcome": link.ok ? "pass" : "fail" });
    item.append(element("span", `${KINDS[link.issuer_type] || link.issuer_type}: ${link.did}`, { class: "what" }));
    const by = link.evidence && link.evidence.accreditedBy;
    const detail = by && by !== link.did ? `${link.message} (accredited by ${by})` : link.message;
    item.append(element("span", detail, { class: "detail" }));
    chain.append(item);
  }
  for (const note of data.notes) notes.append(element("li", note, { "data-outcome": "skipped" }));
}

$("issuer-form").addEventListener("submit", (event) => { event.preventDefault(); check(); });
const initial = new URLSearchParams(location.search).get("did");
if (initial) { $("did").value = initial; check(); }
