"use strict";
// The verification page: read a credential (paste, file, or QR code), POST it to /verify, and
// say in plain words what every check found. All text goes in with textContent, never as HTML.

const VERDICTS = {
  "valid": ["Valid", "This credential is genuine, recorded on the registry, and in force."],
  "invalid": ["Not valid", "Do not rely on this credential."],
  "revoked": ["Revoked", "The issuer has withdrawn this credential."],
  "suspended": ["Suspended", "The issuer has suspended this credential for now."],
  "could not determine": ["Could not check", "The registry could not be reached. Nothing is known to be wrong; try again later."],
  "root not trusted": ["Genuine, but not under an authority you trust", "It is genuine and recorded on the registry, and its issuer is accredited, but by an authority this service's trust list does not include."],
};

const PASSPORT_VERDICTS = {
  "valid": ["Valid passport", "The holder presented it, and every credential in it is valid."],
  "invalid": ["Not all valid", "Look at each credential below before relying on any of them."],
  "could not determine": ["Could not check", "The registry could not be reached for some credentials; try again later."],
  "root not trusted": ["Genuine, but not all under an authority you trust", "Look at each credential below: some are accredited by an authority this service's trust list does not include."],
};

// Each check in words: what it shows when it passes, what went wrong when it fails, and what
// could not be checked ("Could not check whether …") when the answer is unknown or skipped.
const CHECKS = {
  "presentation": ["It is a well-formed skills passport", "It is not a well-formed skills passport", "whether it is a well-formed skills passport"],
  "holder signature": ["The holder signed this passport", "Not signed by the holder", "whether the holder signed this passport"],
  "holder binding": ["Every credential is about the holder", "Not every credential is about the holder", "whether every credential is about the holder"],
  "presentation time": ["The passport is within its validity period", "The passport is expired, not yet valid or dated in the future", "whether the passport is within its validity period"],
  "distinct credentials": ["Each credential is in the passport once", "The same credential is in the passport twice", "whether each credential is in the passport once"],
  "audience": ["The passport was made for you", "The passport was made for someone else", "for whom the passport was made"],
  "nonce": ["The passport answers your challenge", "The passport does not answer your challenge", "whether the passport answers your challenge"],
  "format": ["It is a well-formed credential", "It is not a well-formed credential", "whether it is a well-formed credential"],
  "schema": ["It has the shape its schema sets", "It does not have the shape its schema sets", "whether it has the shape its schema sets"],
  "signing time": ["It was not signed in the future", "It claims to be signed in the future", "when it was signed"],
  "cohort proof": ["It belongs to the batch the issuer recorded", "It does not belong to the batch the issuer recorded", "whether it belongs to the batch the issuer recorded"],
  "issuer DID": ["The issuer is registered", "The issuer is not registered", "whether the issuer is registered"],
  "signing key": ["The issuer's key was valid when it signed", "The issuer's key was not valid when it signed", "whether the issuer's key was valid when it signed"],
  "signature": ["The issuer's signature matches the content", "The issuer's signature does not match the content", "whether the issuer's signature matches the content"],
  "anchor": ["The issuer recorded it on the registry", "No matching record of it on the registry", "whether the issuer recorded it on the registry"],
  "status list": ["Its status lists are the issuer's", "Its status lists are not the issuer's, so the issuer could not revoke it", "whether its status lists are the issuer's"],
  "revocation status": ["The issuer has not revoked it", "Revoked by the issuer", "whether the issuer has revoked it"],
  "suspension status": ["The issuer has not suspended it", "Suspended by the issuer", "whether the issuer has suspended it"],
  "accreditation": ["The issuer was accredited to issue it", "The issuer was not accredited to issue it", "whether the issuer was accredited to issue it"],
  "trusted root": ["Its top authority is one this service trusts", "Its top authority is not on the trust list", "whether its top authority is trusted"],
  "validity period": ["It is within its validity period", "It is outside its validity period", "whether it is within its validity period"],
};

// The checks whose failure means the person presenting a passport is not shown to be its holder.
const HOLDER_CHECKS = ["holder signature", "holder binding"];

// The service refuses request bodies over its limit (ServiceConfig.max_body_bytes, 2 MiB unless
// the operator changed it). No endpoint tells the page the configured limit, so the default is
// assumed here: a larger file is refused before it is read or sent.
const MAX_BODY_BYTES = 2 * 1024 * 1024;

function inMegabytes(bytes) {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.ceil(bytes / 1024)} KB`;
  const mb = bytes / (1024 * 1024);
  return `${mb >= 10 ? Math.ceil(mb) : Math.ceil(mb * 10) / 10} MB`;
}

function tooLarge(what, bytes) {
  return `${what} is ${inMegabytes(bytes)}; the service accepts up to ${inMegabytes(MAX_BODY_BYTES)}.`;
}

function label(check) {
  const words = CHECKS[check.name];
  if (check.outcome === "pass") return words ? words[0] : check.name;
  if (check.outcome === "fail") return words ? words[1] : `Failed: ${check.name}`;
  if (check.outcome === "skipped") return words ? `Not checked: ${words[2]}` : `Not checked: ${check.name}`;
  return words ? `Could not check ${words[2]}` : `Could not check: ${check.name}`;
}

// `value` is text, or a list of text and nodes; `href` makes the text a link.
function fact(list, label, value, href) {
  if (!value) return;
  list.append(element("dt", label));
  const dd = element("dd");
  if (href) dd.append(element("a", value, { href }));
  else if (Array.isArray(value)) dd.append(...value);
  else dd.textContent = shown(value);
  list.append(dd);
}

function checkList(list, checks) {
  list.replaceChildren();
  for (const check of checks) {
    const item = element("li", null, { "data-outcome": check.outcome, "data-check": check.name });
    item.append(element("span", label(check), { class: "what" }));
    item.append(withTimes(element("span", null, { class: "detail" }), check.message));
    list.append(item);
  }
}

// A list of ESCO skills or occupations: each label, its URI as the tooltip (and in words when the
// issuer gave no label).
function alignedList(entries) {
  if (!entries || !entries.length) return null;
  const list = element("ul", null, { class: "aligned" });
  for (const entry of entries) {
    list.append(element("li", entry.label || entry.uri, { title: entry.uri, "data-uri": entry.uri }));
  }
  return [list];
}

// What the credential certifies (the report's `certifies`), each value the issuer's text, inert.
function certifiedFacts(facts, certified) {
  fact(facts, "Qualification", certified.name);
  fact(facts, "Type", certified.achievement_type);
  if (certified.eqf_level) fact(facts, "EQF level", String(certified.eqf_level));
  if (certified.description !== certified.name) fact(facts, "Description", certified.description);
  fact(facts, "Assessed by", certified.criteria);
  fact(facts, "Skills", alignedList(certified.skills));
  fact(facts, "Occupations", alignedList(certified.occupations));
  const skillLabels = new Set((certified.skills || []).map((entry) => entry.label));
  const outcomes = (certified.learning_outcomes || []).filter((title) => !skillLabels.has(title));
  if (outcomes.length) fact(facts, "Learning outcomes", outcomes.join("; "));
  const credits = (certified.credits || []).map((c) => (c.framework ? `${c.points} (${c.framework})` : c.points));
  if (credits.length) fact(facts, "Credits", credits.join("; "));
  const body = certified.awarding_body;
  const issuerDid = certified.issuer ? certified.issuer.did : null;
  if (body && body.did !== issuerDid) fact(facts, "Awarded by", body.name ? `${body.name} (${body.did})` : body.did);
  const holder = certified.holder || {};
  const document = holder.document ? ` (document ${holder.document})` : "";
  if (holder.name) fact(facts, "Awarded to", `${holder.name}${document}`);
}

function credentialFacts(facts, report, block) {
  const info = report.credential || {};
  const certified = report.certifies;
  if (certified) certifiedFacts(facts, certified);
  else fact(facts, "Qualification", info.achievement);
  const issuerName = certified && certified.issuer ? certified.issuer.name : null;
  fact(facts, "Issued by", issuerName ? `${issuerName} (${info.issuer})` : info.issuer,
    info.issuer ? `/issuer?did=${encodeURIComponent(info.issuer)}` : null);
  if (info.issued) fact(facts, "Issued on", [timeElement(info.issued)]);
  const accreditation = (report.checks || []).find((c) => c.name === "accreditation");
  const root = accreditation && accreditation.evidence && accreditation.evidence.root;
  if (root) fact(facts, "Top authority", rootName(root));
  if (certified && certified.valid_until) fact(facts, "Valid until", [timeElement(certified.valid_until)]);
  if (block !== undefined && report.checked_at) {
    fact(facts, "Checked at", block ? [timeElement(report.checked_at), ` (block ${block})`] : [timeElement(report.checked_at)]);
  }
}

// The service's own trust list (GET /api/trust-list), read once: its roots' names for the page, and
// a line under the form saying which authorities the answers rely on.
let TRUSTED = { configured: false, roots: [] };

function rootName(did) {
  const known = TRUSTED.roots.find((r) => r.did === did);
  return known && known.name ? `${known.name} (${did})` : did;
}

async function loadTrustList() {
  try {
    const response = await fetch("/api/trust-list");
    if (response.ok) TRUSTED = await response.json();
  } catch (error) {
    return;
  }
  const line = $("trust-list");
  if (!TRUSTED.configured) {
    line.textContent = "This service has no trust list: nobody has named the authorities it trusts, so no credential is shown as valid; a genuine one is shown as not under an authority you trust.";
    return;
  }
  const names = TRUSTED.roots.map((r) => r.name || r.did).join(", ");
  line.textContent = shown(`Authorities this service trusts${TRUSTED.name ? ` (${TRUSTED.name})` : ""}: ${names}.`);
}

function clearResult() {
  $("summary").replaceChildren();
  $("summary").hidden = true;
  $("checks").replaceChildren();
  $("facts").replaceChildren();
  $("credentials").replaceChildren();
  $("credentials").hidden = true;
}

function show(report, block) {
  clearResult();
  if (report.kind === "passport") {
    showPassport(report, block);
    return;
  }
  const [title, detail] = VERDICTS[report.verdict] || ["Unknown", report.summary];
  const facts = $("facts");
  credentialFacts(facts, report, block);
  checkList($("checks"), report.checks);
  showVerdict(report.verdict, title, report.verdict === "valid" ? detail : `${detail} ${report.summary}`);
}

// A skills passport: the holder's own checks first, then one panel per credential with its
// verdict in words; the panels of credentials that are not valid start open. When the holder
// checks fail, no credential in it is shown as valid: none is shown to be the presenter's.
function showPassport(report, block) {
  const failed = (name) => report.checks.some((c) => c.name === name && c.outcome === "fail");
  const notHolder = HOLDER_CHECKS.some(failed);
  let [title, detail] = PASSPORT_VERDICTS[report.verdict] || ["Not valid", "Do not rely on this passport."];
  if (notHolder) {
    title = "Not shown to be this person's passport";
    detail = "The person presenting this passport could not be shown to be its holder, so nothing in it can be relied on as theirs.";
  } else if (failed("presentation")) {
    [title, detail] = ["Not valid", "This is not a well-formed skills passport; do not rely on it."];
  }
  showCompetencies(report.competencies);
  const facts = $("facts");
  fact(facts, "Holder", report.holder);
  fact(facts, "Credentials", String(report.credentials.length));
  if (block) fact(facts, "Checked at block", block);
  checkList($("checks"), report.checks);
  const panels = $("credentials");
  for (const [n, credential] of report.credentials.entries()) {
    const [words] = VERDICTS[credential.verdict] || ["Unknown"];
    const info = credential.credential || {};
    const panel = element("details", null, { "data-verdict": credential.verdict, class: "credential" });
    if (credential.verdict !== "valid") panel.open = true;
    const summary = element("summary");
    if (notHolder) {
      summary.append(element("span", "Not relied on: the passport failed its holder check", { class: "badge", "data-verdict": "not relied on" }));
    } else {
      summary.append(element("span", words, { class: "badge", "data-verdict": credential.verdict }));
    }
    summary.append(element("span", info.achievement || `Credential ${n + 1}`, { class: "title" }));
    panel.append(summary);
    if (notHolder) {
      panel.append(element("p", `Checked on its own, this credential is: ${words}. It is not shown to belong to the person presenting it.`, { class: "detail" }));
    }
    if (credential.verdict !== "valid") panel.append(withTimes(element("p", null, { class: "detail" }), credential.summary));
    const list = element("dl");
    credentialFacts(list, credential);
    panel.append(list);
    const checks = element("ul", null, { class: "checks" });
    checkList(checks, credential.checks);
    panel.append(checks);
    panels.append(panel);
  }
  panels.hidden = report.credentials.length === 0;
  showVerdict(notHolder ? "invalid" : report.verdict, title, report.verdict === "valid" ? detail : `${detail} ${report.summary}`);
}

// The passport as a summary of competencies (the report's `competencies`), shown before the evidence:
// skills and occupations with the highest EQF level for each, issuers, then every credential with its verdict.
function showCompetencies(summary) {
  const box = $("summary");
  if (!summary) return;
  box.append(element("h2", "Summary of competencies"));
  box.append(element("p", summary.note, { class: "note" }));
  const facts = element("dl");
  if (summary.holder && summary.holder.name) fact(facts, "Holder", summary.holder.name);
  if (summary.highest_eqf_level) fact(facts, "Highest EQF level", String(summary.highest_eqf_level));
  const areas = (entries) => (entries && entries.length ? [areaList(entries)] : null);
  fact(facts, "Skills", areas(summary.skills));
  fact(facts, "Occupations", areas(summary.occupations));
  const issuers = (summary.issuers || []).map((p) => (p.name ? `${p.name} (${p.did})` : p.did));
  if (issuers.length) fact(facts, "Issuers", issuers.join("; "));
  box.append(facts);
  const list = element("ul", null, { class: "programmes" });
  for (const item of summary.programmes || []) {
    const [words] = VERDICTS[item.verdict] || ["Unknown"];
    const line = element("li", null, { "data-verdict": item.verdict });
    line.append(element("span", words, { class: "badge", "data-verdict": item.verdict }), " ");
    const issuer = item.issuer && (item.issuer.name || item.issuer.did);
    const eqf = item.eqf_level ? `, EQF level ${item.eqf_level}` : "";
    line.append(element("span", `${item.name || `Credential ${item.number}`}${eqf}${issuer ? ` — ${issuer}` : ""}`));
    if (item.issued) line.append(", issued ", timeElement(item.issued));
    list.append(line);
  }
  box.append(list);
  box.hidden = false;
}

function areaList(entries) {
  const list = element("ul", null, { class: "aligned" });
  for (const area of entries) {
    const eqf = area.eqf_level ? ` (EQF level ${area.eqf_level})` : "";
    list.append(element("li", `${area.label || area.uri}${eqf}`, { title: area.uri, "data-uri": area.uri }));
  }
  return list;
}

function refuse(title, detail) {
  clearResult();
  showVerdict("error", title, detail);
}

// `file` is the File the text came from, if any (for the messages).
async function verify(text, file) {
  if (!text.trim()) {
    if (file) refuse("Empty file", `The file “${file.name}” is empty: there is nothing in it to check.`);
    else refuse("Nothing to check", "Paste a credential or a skills passport, or open its file, then press Check.");
    return;
  }
  const asked = askedTime($("at"));
  if (asked.error) {
    refuse("Date in the future", asked.error);
    return;
  }
  const body = { credential: text.trim() };
  if (asked.at) body.at = asked.at;
  const json = JSON.stringify(body);
  const size = new Blob([json]).size;
  if (size > MAX_BODY_BYTES) {
    refuse("Too large to check", tooLarge(`Once packed for sending, this ${file ? "file" : "text"}`, size));
    return;
  }
  clearResult();
  showVerdict("pending", "Checking…", "");
  try {
    const response = await fetch("/verify", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: json,
    });
    const data = await response.json();
    if (!response.ok) {
      refuse("Could not read this", data.detail || response.statusText);
      return;
    }
    // The block is the newest one the service read: it says when the answer was given, which is
    // only "checked at" when no earlier date was asked about.
    show(data, asked.at ? undefined : response.headers.get("X-Block-Number"));
  } catch (error) {
    refuse("Could not check", NO_ANSWER);
  }
}

limitDateField($("at"));
loadTrustList();

$("verify-form").addEventListener("submit", (event) => {
  event.preventDefault();
  verify($("credential").value);
});

$("file").addEventListener("change", async () => {
  const file = $("file").files[0];
  if (!file) return;
  if (file.size > MAX_BODY_BYTES) {
    // Nothing of an earlier credential may stay behind to be checked in its place.
    $("credential").value = "";
    $("file").value = "";
    refuse("File too large", tooLarge(`The file “${file.name}”`, file.size));
    return;
  }
  const text = await file.text();
  $("credential").value = text;
  verify(text, file);
});

// QR scanning only where the browser has a native BarcodeDetector; elsewhere the button stays hidden.
if ("BarcodeDetector" in window && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
  const scan = $("scan");
  scan.hidden = false;
  scan.addEventListener("click", async () => {
    const video = $("camera");
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    } catch (error) {
      showVerdict("error", "No camera", "The camera could not be opened; paste or open the file instead.");
      return;
    }
    const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    const stop = () => { stream.getTracks().forEach((t) => t.stop()); video.hidden = true; };
    const look = async () => {
      try {
        const codes = await detector.detect(video);
        if (codes.length) {
          stop();
          $("credential").value = codes[0].rawValue;
          verify(codes[0].rawValue);
          return;
        }
      } catch (error) {
        stop();
        return;
      }
      requestAnimationFrame(look);
    };
    look();
  });
}

// Printing: the print stylesheet (style.css, @media print) shows the verdict, the summary and each
// credential's panel; every panel is opened first, so a closed one prints its facts too.
window.addEventListener("beforeprint", () => {
  for (const panel of document.querySelectorAll("details.credential")) panel.open = true;
});
$("print").addEventListener("click", () => window.print());
