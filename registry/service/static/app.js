"use strict";
// The verification page: read a credential (paste, file, or QR code), POST it to /verify, and
// say in plain words what every check found. All text goes in with textContent, never as HTML.

const VERDICTS = {
  "valid": ["Valid", "This credential is genuine, recorded on the registry, and in force."],
  "invalid": ["Not valid", "Do not rely on this credential."],
  "revoked": ["Revoked", "The issuer has withdrawn this credential."],
  "suspended": ["Suspended", "The issuer has suspended this credential for now."],
  "could not determine": ["Could not check", "The registry could not be reached. Nothing is known to be wrong; try again later."],
};

const PASSPORT_VERDICTS = {
  "valid": ["Valid passport", "The holder presented it, and every credential in it is valid."],
  "invalid": ["Not all valid", "Look at each credential below before relying on any of them."],
  "could not determine": ["Could not check", "The registry could not be reached for some credentials; try again later."],
};

const CHECKS = {
  "presentation": "It is a well-formed skills passport",
  "holder signature": "The holder signed this passport",
  "holder binding": "Every credential is about the holder",
  "format": "It is a well-formed credential",
  "cohort proof": "It belongs to the batch the issuer recorded",
  "issuer DID": "The issuer is registered",
  "signing key": "The issuer's key was valid when it signed",
  "signature": "The issuer's signature matches the content",
  "anchor": "The issuer recorded it on the registry",
  "revocation status": "The issuer has not revoked it",
  "suspension status": "The issuer has not suspended it",
  "accreditation": "The issuer was accredited to issue it",
  "validity period": "It is within its validity period",
};

const $ = (id) => document.getElementById(id);

function element(tag, text, attrs) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
  return node;
}

function fact(list, label, value, href) {
  if (!value) return;
  list.append(element("dt", label));
  const dd = element("dd");
  if (href) dd.append(element("a", value, { href })); else dd.textContent = value;
  list.append(dd);
}

function showVerdict(verdict, title, detail) {
  const box = $("verdict");
  box.dataset.verdict = verdict;
  box.replaceChildren(element("span", title), element("small", detail));
  $("result").hidden = false;
}

function checkList(list, checks) {
  list.replaceChildren();
  for (const check of checks) {
    const item = element("li", null, { "data-outcome": check.outcome, "data-check": check.name });
    item.append(element("span", CHECKS[check.name] || check.name, { class: "what" }));
    item.append(element("span", check.message, { class: "detail" }));
    list.append(item);
  }
}

function credentialFacts(facts, report, block) {
  const info = report.credential || {};
  fact(facts, "Qualification", info.achievement);
  fact(facts, "Issued by", info.issuer, info.issuer ? `/issuer?did=${encodeURIComponent(info.issuer)}` : null);
  fact(facts, "Issued on", info.issued);
  if (block !== undefined) fact(facts, "Checked at", block ? `${report.checked_at} (block ${block})` : report.checked_at);
}

function show(report, block) {
  $("credentials").replaceChildren();
  $("credentials").hidden = true;
  if (report.kind === "passport") {
    showPassport(report, block);
    return;
  }
  const [title, detail] = VERDICTS[report.verdict] || ["Unknown", report.summary];
  showVerdict(report.verdict, title, report.verdict === "valid" ? detail : `${detail} ${report.summary}`);
  const facts = $("facts");
  facts.replaceChildren();
  credentialFacts(facts, report, block);
  checkList($("checks"), report.checks);
}

// A skills passport: the holder's own checks first, then one panel per credential with its
// verdict in words; the panels of credentials that are not valid start open.
function showPassport(report, block) {
  const [title, detail] = PASSPORT_VERDICTS[report.verdict] || ["Not valid", "Do not rely on this passport."];
  showVerdict(report.verdict, title, report.verdict === "valid" ? detail : `${detail} ${report.summary}`);
  const facts = $("facts");
  facts.replaceChildren();
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
    summary.append(element("span", words, { class: "badge", "data-verdict": credential.verdict }));
    summary.append(element("span", info.achievement || `Credential ${n + 1}`, { class: "title" }));
    panel.append(summary);
    if (credential.verdict !== "valid") panel.append(element("p", credential.summary, { class: "detail" }));
    const list = element("dl");
    credentialFacts(list, credential);
    panel.append(list);
    const checks = element("ul", null, { class: "checks" });
    checkList(checks, credential.checks);
    panel.append(checks);
    panels.append(panel);
  }
  panels.hidden = report.credentials.length === 0;
}

async function verify(text) {
  if (!text.trim()) return;
  showVerdict("pending", "Checking…", "");
  $("checks").replaceChildren();
  $("facts").replaceChildren();
  $("credentials").replaceChildren();
  const body = { credential: text.trim() };
  const at = $("at").value;
  if (at) body.at = `${at}T23:59:59Z`;
  try {
    const response = await fetch("/verify", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const data = await response.json();
    if (!response.ok) {
      showVerdict("error", "Could not read this", data.detail || response.statusText);
      return;
    }
    show(data, response.headers.get("X-Block-Number"));
  } catch (error) {
    showVerdict("error", "Could not check", "The service did not answer. Check your connection and try again.");
  }
}

$("verify-form").addEventListener("submit", (event) => {
  event.preventDefault();
  verify($("credential").value);
});

$("file").addEventListener("change", async () => {
  const file = $("file").files[0];
  if (!file) return;
  const text = await file.text();
  $("credential").value = text;
  verify(text);
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
