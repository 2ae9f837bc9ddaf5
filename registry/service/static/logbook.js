"use strict";
// The logbook page: read a logbook extract (file or paste), POST it to /api/logbook/verify, and
// show it unit by unit: each entry's date, activity, hours, workplace and signer, its checks one
// by one, and an overall verdict. All text goes in with textContent, never as HTML.

const LOGBOOK_VERDICTS = {
  "valid": [N_("Valid logbook extract"), N_("Every entry shown is signed by the learner, signed off by an authorised person and recorded on the registry.")],
  "not valid": [N_("Not all valid"), N_("Look at each entry below before relying on any of them.")],
  "revoked": [N_("Some entries revoked"), N_("The provider has withdrawn some entries; the others stand.")],
  "could not determine": [N_("Could not check"), N_("The registry could not be asked about some entries. Nothing is known to be wrong; try again later.")],
};

const ENTRY_BADGES = { "valid": N_("Valid"), "not valid": N_("Not valid"), "revoked": N_("Revoked"), "could not determine": N_("Could not check") };

// Each check in words: passed, failed, what could not be checked or was not reached, and (when it
// differs from the failure) what a note says.
const ENTRY_CHECKS = {
  "learner signature": [N_("The learner signed this entry"), N_("The learner's signature does not match the entry"), N_("whether the learner signed this entry")],
  "logbook": [N_("It belongs to this learner's logbook"), N_("It does not belong to this learner's logbook"), N_("whether it belongs to this learner's logbook")],
  "enrolment": [N_("Dated on or after the learner's enrolment"), N_("Dated before the learner's enrolment"), N_("whether it is dated after the learner's enrolment"), N_("Dated before the learner's enrolment: learning outside the programme, not counted")],
  "countersignature": [N_("It was countersigned"), N_("It is not properly countersigned"), N_("whether it was countersigned")],
  "authorisation": [N_("The signer was authorised for this unit on that date"), N_("The signer was not authorised for this unit on that date"), N_("whether the signer was authorised on that date")],
  "day anchor": [N_("It is recorded on the registry with its day's entries"), N_("It is not recorded on the registry"), N_("whether it is recorded on the registry")],
  "status": [N_("The provider has not revoked it"), N_("Revoked by the provider"), N_("whether the provider has revoked it")],
  "backdating": [N_("It was recorded within the programme's backdating window"), N_("Dated further back than the programme allows"), N_("when it was recorded")],
  "qualification": [N_("It is counted by the qualification"), N_("It does not agree with the qualification"), N_("whether the qualification counts it"), N_("Not counted by the qualification")],
};

let SHOWN = null;
document.addEventListener("languagechange", () => { if (SHOWN) showExtract(SHOWN); });

function checkLine(check) {
  const words = ENTRY_CHECKS[check.name] ? ENTRY_CHECKS[check.name].map((text) => _(text)) : null;
  const outcome = check.outcome === "note" ? "unknown" : check.outcome;
  const item = element("li", null, { "data-outcome": outcome, "data-check": check.name });
  let what;
  if (!words) what = check.message;
  else if (check.outcome === "pass") what = words[0];
  else if (check.outcome === "fail") what = words[1];
  else if (check.outcome === "note") what = words[3] || words[1];
  else if (check.outcome === "skipped") what = fmt(_("Not checked: {what}"), { what: words[2] });
  else what = fmt(_("Could not check {what}"), { what: words[2] });
  item.append(element("span", what, { class: "what" }));
  if (check.message && words) item.append(element("span", check.message, { class: "detail" }));
  return item;
}

const ROLES = { "supervisor": N_("supervisor"), "assessor": N_("assessor") };

function signerOf(entry) {
  const signer = entry.supervisor;
  if (!signer) return _("not countersigned");
  const role = ROLES[signer.role] ? _(ROLES[signer.role]) : signer.role;
  return signer.name ? `${signer.name} (${signer.did}) (${role})` : `${signer.did} (${role})`;
}

// Hours as the page's language writes numbers (2,5 in French), in the Latin digits the catalogs use.
function hoursOf(value) {
  const lang = document.documentElement.lang || "en";
  return typeof value === "number" ? new Intl.NumberFormat(`${lang}-u-nu-latn`, { maximumFractionDigits: 3 }).format(value) : value;
}

// An entry's day (YYYY-MM-DD, the learner's calendar day: no time, no zone) as the page shows dates.
function readableDay(day) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day || "")) return day;
  const when = new Date(`${day}T00:00:00Z`);
  const lang = document.documentElement.lang || "en";
  const options = { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" };
  return new Intl.DateTimeFormat(lang === "en" ? "en-GB" : lang, options).format(when);
}

function entryPanel(entry) {
  const panel = element("details", null, { class: "credential entry", "data-verdict": entry.verdict || "" });
  const summary = element("summary");
  summary.append(element("span", entry.verdict ? _(ENTRY_BADGES[entry.verdict] || entry.verdict) : _("Not checked"),
    { class: "badge", "data-verdict": entry.verdict || "" }));
  const title = element("span", null, { class: "title" });
  title.append(element("time", readableDay(entry.date), { datetime: entry.date }), ` · ${shown(entry.activity)}`);
  summary.append(title);
  summary.append(element("span", fmt(_("{hours} h"), { hours: hoursOf(entry.hours) }), { class: "detail" }));
  if (entry.verdict === "valid" && !entry.counted) {
    summary.append(element("span", entry.beforeEnrolment ? _("before enrolment, not counted") : _("not counted"), { class: "detail" }));
  }
  panel.append(summary);
  const facts = element("dl");
  for (const [label, value] of [[_("Workplace"), entry.workplace], [_("Signed off by"), signerOf(entry)]]) {
    facts.append(element("dt", label), element("dd", value));
  }
  panel.append(facts);
  const checks = element("ul", null, { class: "checks" });
  for (const check of entry.checks) checks.append(checkLine(check));
  panel.append(checks);
  if (entry.verdict !== "valid" || entry.notes.length) panel.open = true;
  return panel;
}

function unitBlock(unit) {
  const block = element("div", null, { class: "unit", "data-unit": unit.id || "" });
  const title = unit.id ? `${unit.id} · ${unit.title}` : _("Entries for no unit of this programme");
  block.append(element("h2", title));
  if (unit.id) {
    let tally = fmt(_("{valid} of {needed} h signed off and valid"), { valid: hoursOf(unit.validHours), needed: hoursOf(unit.hours) });
    if (unit.backdatedHours) tally += ` · ${fmt(_("{hours} h backdated, not counted"), { hours: hoursOf(unit.backdatedHours) })}`;
    if (unit.beforeEnrolmentHours) tally += ` · ${fmt(_("{hours} h before enrolment, not counted"), { hours: hoursOf(unit.beforeEnrolmentHours) })}`;
    block.append(element("p", tally, { class: "note" }));
  }
  for (const entry of unit.entries) block.append(entryPanel(entry));
  return block;
}

function showExtract(data) {
  SHOWN = data;
  const facts = $("facts");
  facts.replaceChildren();
  const named = (name, id) => (name && id ? `${name} (${id})` : name || id);
  const rows = [
    [_("Programme"), named(data.programmeTitle, data.programme)],
    [_("Learner"), named(data.learnerName, data.learner)],
    [_("Provider"), named(data.providerName, data.provider)],
  ];
  for (const [label, value] of rows) {
    if (value) facts.append(element("dt", label), element("dd", value));
  }
  const warnings = warningList(data.warnings);  // texts to read closely: never a verdict
  if (warnings) facts.append(element("dt", _("Read closely")), element("dd"));
  if (warnings) facts.lastChild.append(...warnings);
  $("problems").replaceChildren(...data.problems.map((p) => withTimes(element("li", null, { "data-outcome": "fail" }), p)));
  $("units").replaceChildren(...(data.units || []).map(unitBlock));
  const [title, detail] = (LOGBOOK_VERDICTS[data.verdict] || [data.verdict, ""]).map((text) => _(text));
  showVerdict(data.verdict === "not valid" ? "invalid" : data.verdict, title, detail);
}

function clear() {
  SHOWN = null;
  $("units").replaceChildren();
  $("problems").replaceChildren();
  $("facts").replaceChildren();
}

// `kind`: what a file's first bytes say it is (common.js, kindOfFile), for a file opened.
async function check(kind) {
  clear();
  const text = $("extract").value.trim();
  if (!text && !kind) {
    showVerdict("error", _("Nothing to check"), _("Open the extract file or paste it, then press Check."));
    return;
  }
  const elsewhere = notForThisPage(kind || kindOfText(text), "logbook");
  if (elsewhere) {
    showVerdict("error", ...elsewhere);
    return;
  }
  const body = JSON.stringify({ extract: text });
  const size = new Blob([body]).size;
  if (size > MAX_BODY_BYTES) {
    showVerdict("error", _("Too large to check"), tooLarge(_("Once packed for sending, this text"), size));
    return;
  }
  showVerdict("pending", _("Checking…"), "");
  await askService("/api/logbook/verify", { method: "POST", headers: { "Content-Type": "application/json" }, body }, showExtract);
}

// A file opened is checked at once; one too large or empty is said before anything is sent, and
// nothing of an earlier extract stays behind to be checked in its place.
$("file").addEventListener("change", async () => {
  const file = $("file").files[0];
  if (!file) return;
  $("extract").value = "";
  if (file.size > MAX_BODY_BYTES) {
    $("file").value = "";
    clear();
    showVerdict("error", _("File too large"), tooLarge(fmt(_("The file “{name}”"), { name: file.name }), file.size));
    return;
  }
  if (file.size === 0) {
    clear();
    showVerdict("error", _("Empty file"), fmt(_("The file “{name}” is empty: there is nothing in it to check."), { name: file.name }));
    return;
  }
  const kind = await kindOfFile(file);
  if (!kind) $("extract").value = await file.text();
  check(kind);
});
$("logbook-form").addEventListener("submit", (event) => { event.preventDefault(); check(); });
