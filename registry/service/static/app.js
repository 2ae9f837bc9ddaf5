"use strict";
// The verification page: read a credential (paste, file, or QR code), POST it to /verify, and
// say in plain words what every check found. All text goes in with textContent, never as HTML.

const VERDICTS = {
  "valid": [N_("Valid"), N_("This credential is genuine, recorded on the registry, and in force.")],
  "invalid": [N_("Not valid"), N_("Do not rely on this credential.")],
  "revoked": [N_("Revoked"), N_("The issuer has withdrawn this credential.")],
  "suspended": [N_("Suspended"), N_("The issuer has suspended this credential for now.")],
  "could not determine": [N_("Could not check"), N_("The registry could not be reached. Nothing is known to be wrong; try again later.")],
  "root not trusted": [N_("Genuine, but not under an authority you trust"), N_("It is genuine and recorded on the registry, and its issuer is accredited, but by an authority this service's trust list does not include.")],
  "not yet issued": [N_("Not yet issued on that date"), N_("It was issued after the date you asked about, so it was not valid then. Nothing says it is forged: ask about a later date, or today.")],
};

const PASSPORT_VERDICTS = {
  "valid": [N_("Valid passport"), N_("The holder presented it, and every credential in it is valid.")],
  "invalid": [N_("Not all valid"), N_("Look at each credential below before relying on any of them.")],
  "could not determine": [N_("Could not check"), N_("The registry could not be reached for some credentials; try again later.")],
  "root not trusted": [N_("Genuine, but not all under an authority you trust"), N_("Look at each credential below: some are accredited by an authority this service's trust list does not include.")],
  "not yet issued": [N_("Not all issued yet on that date"), N_("Some credentials below were issued after the date you asked about, so they were not valid then.")],
};

// An achievement's type by its label (registry/i18n/words.py's ACHIEVEMENT_TYPES); any other as the credential names it.
const ACHIEVEMENT_TYPES = {
  "Certificate": N_("Certificate"), "Certification": N_("Certification"), "Competency": N_("Competency"),
  "CertificateOfCompletion": N_("Certificate of completion"), "Course": N_("Course"), "Degree": N_("Degree"),
  "Diploma": N_("Diploma"), "Badge": N_("Badge"), "MicroCredential": N_("Micro-credential"), "License": N_("Licence"),
  "ApprenticeshipCertificate": N_("Apprenticeship certificate"), "Award": N_("Award"), "Assessment": N_("Assessment"),
  "ext:WorkExperience": N_("Work experience"),
};

// Each check in words: what it shows when it passes, what went wrong when it fails, and what
// could not be checked ("Could not check whether …") when the answer is unknown or skipped.
const CHECKS = {
  "presentation": [N_("It is a well-formed skills passport"), N_("It is not a well-formed skills passport"), N_("whether it is a well-formed skills passport")],
  "holder signature": [N_("The holder signed this passport"), N_("Not signed by the holder"), N_("whether the holder signed this passport")],
  "holder binding": [N_("Every credential is about the holder"), N_("Not every credential is about the holder"), N_("whether every credential is about the holder")],
  "presentation time": [N_("The passport is within its validity period"), N_("The passport is expired, not yet valid or dated in the future"), N_("whether the passport is within its validity period")],
  "distinct credentials": [N_("Each credential is in the passport once"), N_("The same credential is in the passport twice"), N_("whether each credential is in the passport once")],
  "audience": [N_("The passport was made for you"), N_("The passport was made for someone else"), N_("for whom the passport was made")],
  "nonce": [N_("The passport answers your challenge"), N_("The passport does not answer your challenge"), N_("whether the passport answers your challenge")],
  "registry": [N_("It was checked in the registry it names"), N_("It is not in the registry it names"), N_("whether it is in the registry this service reads")],
  "assurance": [N_("Attested by a registered organisation, not an accredited awarding body"), N_("The attesting organisation is not registered"), N_("who attested it")],
  "assessor": [N_("The assessor was authorised on the assessment's date"), N_("The assessor was not authorised on the assessment's date"), N_("whether the assessor was authorised")],
  "quorum": [N_("Several chain nodes gave the same answer"), N_("The chain nodes disagree"), N_("whether several chain nodes agree")],
  "chain": [N_("The chain answered"), N_("The chain gave no usable answer"), N_("whether the chain answers")],
  "format": [N_("It is a well-formed credential"), N_("It is not a well-formed credential"), N_("whether it is a well-formed credential")],
  "schema": [N_("It has the shape its schema sets"), N_("It does not have the shape its schema sets"), N_("whether it has the shape its schema sets")],
  "signing time": [N_("It was not signed in the future"), N_("It claims to be signed in the future"), N_("when it was signed")],
  "cohort proof": [N_("It belongs to the batch the issuer recorded"), N_("It does not belong to the batch the issuer recorded"), N_("whether it belongs to the batch the issuer recorded")],
  "issuer DID": [N_("The issuer is registered"), N_("The issuer is not registered"), N_("whether the issuer is registered")],
  "signing key": [N_("The issuer's key was valid when it signed"), N_("The issuer's key was not valid when it signed"), N_("whether the issuer's key was valid when it signed")],
  "signature": [N_("The issuer's signature matches the content"), N_("The issuer's signature does not match the content"), N_("whether the issuer's signature matches the content")],
  "anchor": [N_("The issuer recorded it on the registry"), N_("No matching record of it on the registry"), N_("whether the issuer recorded it on the registry")],
  "status list": [N_("Its status lists are the issuer's"), N_("Its status lists are not the issuer's, so the issuer could not revoke it"), N_("whether its status lists are the issuer's")],
  "revocation status": [N_("The issuer has not revoked it"), N_("Revoked by the issuer"), N_("whether the issuer has revoked it")],
  "suspension status": [N_("The issuer has not suspended it"), N_("Suspended by the issuer"), N_("whether the issuer has suspended it")],
  "accreditation": [N_("The issuer was accredited to issue it"), N_("The issuer was not accredited to issue it"), N_("whether the issuer was accredited to issue it")],
  "trusted root": [N_("Its top authority is one this service trusts"), N_("Its top authority is not on the trust list"), N_("whether its top authority is trusted")],
  "time asked": [N_("The registry can answer for the date asked"), N_("It was issued after the date asked"), N_("whether the registry can answer for the date asked")],
  "validity period": [N_("It is within its validity period"), N_("It is outside its validity period"), N_("whether it is within its validity period")],
};

// The checks whose failure means the person presenting a passport is not shown to be its holder.
const HOLDER_CHECKS = ["holder signature", "holder binding"];

// The service refuses request bodies over its limit (ServiceConfig.max_body_bytes, 2 MiB unless
// the operator changed it). No endpoint tells the page the configured limit, so the default is
// assumed (common.js, MAX_BODY_BYTES): a larger file is refused before it is read or sent.

// A table's words for `key` (VERDICTS, PASSPORT_VERDICTS), in the page's language.
function wordsOf(table, key, fallback) {
  return (table[key] || fallback).map((text) => _(text));
}

function label(check) {
  const words = CHECKS[check.name] ? CHECKS[check.name].map((text) => _(text)) : null;
  // A check the table does not word (registry, quorum, ...): its label, as the command line names it.
  const name = _(check.name);
  if (check.outcome === "pass") return words ? words[0] : name;
  if (check.outcome === "fail") return words ? words[1] : fmt(_("Failed: {check}"), { check: name });
  if (check.outcome === "skipped") return fmt(_("Not checked: {what}"), { what: words ? words[2] : name });
  return words ? fmt(_("Could not check {what}"), { what: words[2] }) : fmt(_("Could not check: {check}"), { check: name });
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

// The commonest messages of the checks, as the verifier writes them (registry/i18n/words.py,
// `_MESSAGES`, which the command line translates the same way): each is also the pattern that reads
// a message back, its {fields} as FIELD_PATTERNS says (else one word).
const MESSAGE_PATTERNS = [
  N_("{did} is registered"), N_("signed by the holder {did}"), N_("signed by {key}"),
  N_("credential hash anchored by {did} on {time} (block {block})"), N_("cohort root anchored by {did} on {time} (block {block})"),
  N_("member of a cohort of {n}"), N_("valid from {start} with no expiry date"), N_("valid from {start} until {end}"),
  N_("valid with no start or expiry date"), N_("valid with no start date until {end}"),
  N_("conforms to the schema it names ({id})"), N_("revoked on {time}: {rest}"), N_("suspended on {time}: {rest}"),
  N_("expired on {time}"), N_("not valid before {time}"), N_("signed {time}, valid until {end}"),
  N_("made for {who}, not for {other} (they differ in letter case only: the audience must be given as the passport names it)"),
  N_("made for {who}, not for {other}"), N_("made for {who}"),
  N_("checked in the registry the file names, chain {n}'s registry deployed in block {block}"),
  N_("checked in chain {n}'s registry deployed in block {block}"),
  // The accreditation and trusted-root lines (words.py's `_TRUST_MESSAGES`): {root} and {list} read in turn.
  N_("{when}: accredited through an unbroken chain to Root TAO {root}, which {list} trusts"),
  N_("{when}: accredited through an unbroken chain to Root TAO {root}"),
  N_("the issuer is accredited under Root TAO {root}, which is not in {list} {hint}"),
  N_("the issuer is accredited under Root TAO {root}, which is not in {list}"),
  N_("the issuer is accredited under Root TAO {root}, which you have not said you trust {hint}"),
];
const INNER_PATTERNS = {  // words.py's `_ROOTS`, `_LISTS` and `_HINTS`
  root: [N_('{did} (self-declared name "{name}", not from a trust list)')],
  list: [
    N_("{list} as pinned to chain {n}'s registry deployed in block {block}"), N_('the trust list "{name}"'),
    N_("the service's trust list"), N_("the request's trust list"), N_("the trust list {path}"),
  ],
  hint: [
    N_("(no trust list: give --trust-list FILE, or make a default one with `registry trust-list add {did} --name NAME --registry DEPLOYMENT.json`, with its registry's deployment file as the root publishes it)"),
    N_('(this service has no trust list: send the Root TAOs you accept as "trustList" in the request, e.g. "trustList": ["{did}"], or its operator names them with `registry serve --trust-list FILE`)'),
    N_("(your list names it, but not in this registry: if you accept it here, `registry trust-list add {did} --registry DEPLOYMENT.json` with this registry's deployment file, as its root publishes it)"),
  ],
};
const POLICY_WORDS = [N_("at issuance"), N_("now")];
const FIELD_PATTERNS = {
  rest: ".*", n: "\\d+", block: "\\d+", id: "[^()]+", who: ".+", other: ".+", root: ".+", list: ".+", name: ".+",
  path: ".+", when: POLICY_WORDS.join("|"), hint: "\\(.+\\)", near: ".+", problem: ".+", verdict: "[a-z ]+",
};
// A revocation's or suspension's reason, by its on-chain code (registry/ops/registry.py, REASONS).
const STATUS_REASONS = [
  N_("unspecified"), N_("issued in error"), N_("fraud or misrepresentation"), N_("superseded by a newer credential"),
  N_("holder request"), N_("issuer key compromised"), N_("under investigation"), N_("investigation closed"),
  N_("qualification withdrawn"),
];
const COMPILED = new Map();

function compiledPatterns(templates = MESSAGE_PATTERNS) {
  const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  if (!COMPILED.has(templates)) COMPILED.set(templates, templates.map((template) => {
    const parts = template.split(/\{(\w+)\}/);
    const source = parts.map((part, n) => (n % 2 ? `(?<${part}>${FIELD_PATTERNS[part] || "\\S+"})` : escape(part))).join("");
    return [new RegExp(`^${source}$`, "s"), template];
  }));
  return COMPILED.get(templates);
}

// A Root TAO or a trust list as a trust line names it, in the page's language (else as written).
function innerPhrase(key, text) {
  for (const [pattern, template] of compiledPatterns(INNER_PATTERNS[key])) {
    const match = pattern.exec(text);
    if (!match) continue;
    const fields = { ...match.groups };
    if ("list" in fields) fields.list = innerPhrase("list", fields.list);
    return fmt(_(template), fields);
  }
  return text;
}

// A check's message in the page's language where it is one of the commonest (a revocation's reason
// by its code), else as the verifier wrote it; and in the page's words where the verifier's are the
// command line's ("give --audience").
function detailOf(check) {
  const message = check.message || "";
  const unasked = /^not checked \(made for (.*)\): give --audience to check$/.exec(message);
  if (check.name === "audience" && unasked) {
    return fmt(_("Made for {who}. Type who you are in the form above to check that it was made for you."), { who: unasked[1] });
  }
  if (document.documentElement.lang === "en" || _(message) !== message) return _(message);
  for (const [pattern, template] of compiledPatterns()) {
    const match = pattern.exec(message);
    if (!match) continue;
    const fields = { ...match.groups };
    const code = check.evidence && check.evidence.reasonCode;
    if ("rest" in fields && fields.rest === STATUS_REASONS[code]) fields.rest = _(STATUS_REASONS[code]);
    else if ("rest" in fields) continue;  // a reason with a note after it: as written
    for (const key of ["root", "list", "hint"]) if (key in fields) fields[key] = innerPhrase(key, fields[key]);
    if ("when" in fields) fields.when = _(fields.when);
    return fmt(_(template), fields);
  }
  return message;
}

// The parties a check's line names by DID alone, named beside it, each name marked as whose word it is
// (registry/i18n/partywords.py, which the command line uses): the issuer and an accreditation body as their
// accreditations name them, the Root TAO as its onboarding declares it, an attested employer as it names
// itself, a passport's holder as her credentials name her. A DID a line names already is left as it is.
const AS_ACCREDITED = N_("{did} ({name}, as its accreditation names it)");
const AS_ITSELF = N_("{did} ({name}, as it names itself)");
const AS_HOLDER = N_("{did} ({name}, as the credentials name the holder)");

function partiesOf(report) {
  const found = new Map();
  for (const check of report.checks || []) {
    const evidence = check.evidence || {};
    if (check.name === "accreditation") {
      for (const link of evidence.path_links || []) {
        if (typeof link.did !== "string" || typeof link.name !== "string" || found.has(link.did)) continue;
        found.set(link.did, [link.issuer_type === 1 || link.issuer_type === "RootTAO" ? INNER_PATTERNS.root[0] : AS_ACCREDITED, link.name]);
      }
    } else if (check.name === "assurance" && check.outcome === "pass") {
      const issuer = (report.certifies && report.certifies.issuer) || {};
      if (typeof issuer.did === "string" && typeof issuer.name === "string" && !found.has(issuer.did)) found.set(issuer.did, [AS_ITSELF, issuer.name]);
    }
  }
  return found;
}

function holderParty(report) {
  const summary = report.competencies || {};
  const name = summary.holder && summary.holder.name;
  if (!report.holder || typeof name !== "string" || (summary.holder_names || []).length > 1) return new Map();
  return new Map([[report.holder, [AS_HOLDER, name]]]);
}

function namedParties(text, found) {
  let said = text;
  for (const [did, [how, name]] of found || []) {
    const escaped = did.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const match = new RegExp(`${escaped}(?:#[^\\s,;()]*)?(?![A-Za-z0-9._%:#-])`).exec(said);
    if (!match || said.startsWith(" (", match.index + match[0].length)) continue;
    said = said.slice(0, match.index) + fmt(_(how), { did: match[0], name }) + said.slice(match.index + match[0].length);
  }
  return said;
}

// A recognition finding (ops/recognition/apply.py) in the page's language, as the command line says it
// (registry/i18n/recognitionwords.py): a decision that applies from its decisions' fields, none and the
// refusals by their frames (the decisions named inside as written); any other shape as written.
const RECOGNITION_FRAMES = [
  N_("no recognition decision here"), N_("no recognition decision here for it ({near})"),
  N_("not recognised here as of {time}: {near}"), N_("not applied: the credential is not valid ({verdict})"),
  N_("could not check recognition: the registry could not be read"), N_("could not check recognition: {problem}"),
];

// As nodes: each name (a qualification, a framework, a decision named inside) in a <bdi> of its own, so an
// Arabic line that begins with a Latin name is still laid out right to left (its first letter outside
// the names is Arabic).
function recognitionNodes(recognition) {
  const message = recognition.message || "";
  if (document.documentElement.lang === "en") return [message];
  const decisions = recognition.decisions || [];
  if (recognition.outcome === "recognised" && decisions.length && !message.includes(" (as of ")) {
    return joinedNodes(decisions.map((d) => [...fmtNodes(_("recognised here as {qualification} ({level}), decision {id} of {date}"), {
      qualification: d.qualification, level: element("span", fmt(_("level {level} of {framework}"), { level: d.level, framework: d.framework_name })),
      id: `${String(d.id).slice(0, 10)}…`, date: String(d.published || "").slice(0, 10),
    }), ...(d.conditions ? fmtNodes(_(", conditions: {conditions}"), { conditions: d.conditions }) : [])]), true);
  }
  for (const [pattern, template] of compiledPatterns(RECOGNITION_FRAMES)) {
    const match = pattern.exec(message);
    if (!match) continue;
    const fields = { ...match.groups };
    if ("verdict" in fields) fields.verdict = _(fields.verdict);
    return fmtNodes(_(template), fields);
  }
  return [message];
}

function checkList(list, checks, parties) {
  list.replaceChildren();
  for (const check of checks) {
    const item = element("li", null, { "data-outcome": check.outcome, "data-check": check.name });
    item.append(element("span", label(check), { class: "what" }));
    // The verifier's message; the fixed ones ("not revoked", ...) are in the catalog; parties by name beside their DIDs.
    item.append(withTimes(element("span", null, { class: "detail" }), namedParties(detailOf(check), parties)));
    list.append(item);
  }
}

// `node` with `value` (the credential's text) in a <bdi> of its own, then `rest` (the page's words,
// or nodes): a Latin name keeps its direction in an Arabic line, and the line the page's.
function withBdi(node, value, ...rest) {
  node.append(element("bdi", value), ...rest.map((part) => (typeof part === "string" ? shown(part) : part)));
  return node;
}

// A list of ESCO skills or occupations: each label, its URI as the tooltip (and in words when the
// issuer gave no label).
function alignedList(entries) {
  if (!entries || !entries.length) return null;
  const list = element("ul", null, { class: "aligned" });
  for (const entry of entries) {
    list.append(withBdi(element("li", null, { title: entry.uri, "data-uri": entry.uri }), entry.label || entry.uri));
  }
  return [list];
}

// What the credential certifies (the report's `certifies`), each value the issuer's text, inert.
// Its name, description and criteria in the page's language where the credential gives them in it
// (a Europass credential's language maps, `translations`), else as the report has them.
function inPageLanguage(certified) {
  const all = certified.translations || {};
  const lang = document.documentElement.lang;
  const own = Object.prototype.hasOwnProperty.call(all, lang) && all[lang] ? all[lang] : {};
  const pick = (key) => (typeof own[key] === "string" && own[key] ? own[key] : certified[key]);
  return { ...certified, name: pick("name"), description: pick("description"), criteria: pick("criteria") };
}

function certifiedFacts(facts, reported) {
  const certified = inPageLanguage(reported);
  fact(facts, _("Qualification"), certified.name);
  const type = ACHIEVEMENT_TYPES[certified.achievement_type];
  fact(facts, _("Type"), type ? _(type) : certified.achievement_type);
  if (certified.eqf_level) fact(facts, _("EQF level"), String(certified.eqf_level));
  if (certified.description !== certified.name) fact(facts, _("Description"), certified.description);
  fact(facts, _("Assessed by"), certified.criteria);
  fact(facts, _("Skills"), alignedList(certified.skills));
  fact(facts, _("Occupations"), alignedList(certified.occupations));
  const skillLabels = new Set((certified.skills || []).map((entry) => entry.label));
  const outcomes = (certified.learning_outcomes || []).filter((title) => !skillLabels.has(title));
  if (outcomes.length) fact(facts, _("Learning outcomes"), joined(outcomes, true));
  const credits = (certified.credits || []).map((c) => (c.framework ? `${c.points} (${c.framework})` : c.points));
  if (credits.length) fact(facts, _("Credits"), joined(credits, true));
  const body = certified.awarding_body;
  const issuerDid = certified.issuer ? certified.issuer.did : null;
  if (body && body.did !== issuerDid) fact(facts, _("Awarded by"), body.name ? `${body.name} (${body.did})` : body.did);
  const holder = certified.holder || {};
  const document = holder.document ? fmt(_(" (document {document})"), { document: holder.document }) : "";
  if (holder.name) fact(facts, _("Awarded to"), `${holder.name}${document}`);
}

// Over the facts of a credential whose checks failed or could not all be made: they are what the
// file says, not what the registry confirms (a tampered file's name is shown as it was changed).
// A credential whose only failed check is its validity period (expired, or not valid yet) is
// genuine: what it says is its issuer's word; only it does not count now.
function unconfirmed(report) {
  const failed = (report.checks || []).filter((c) => c.outcome === "fail");
  if (report.verdict === "invalid" && failed.length && failed.every((c) => c.name === "validity period")) {
    return _("Genuine, as its issuer signed and anchored it, but outside its validity period (below): it does not count now.");
  }
  if (report.verdict === "invalid") return _("What the file says, not confirmed: it failed the checks below, so none of it can be relied on.");
  if (report.verdict === "could not determine") return _("What the file says, not confirmed yet: the checks below could not all be made.");
  return null;
}

function credentialFacts(facts, report, block) {
  const info = report.credential || {};
  const certified = report.certifies;
  if (certified) certifiedFacts(facts, certified);
  else fact(facts, _("Qualification"), info.achievement);
  const issuerName = certified && certified.issuer ? certified.issuer.name : null;
  // Under a root the service's list leaves out, the issuer's name is that chain's word only (it may be any name).
  const byUntrusted = issuerName && report.verdict === "root not trusted" ? _(", as its accreditation names it, under an authority you have not said you trust") : "";
  fact(facts, _("Issued by"), issuerName ? `${issuerName} (${info.issuer})${byUntrusted}` : info.issuer,
    info.issuer ? `/issuer?did=${encodeURIComponent(info.issuer)}` : null);
  if (info.issued) fact(facts, _("Issued on"), [timeElement(info.issued)]);
  const accreditation = (report.checks || []).find((c) => c.name === "accreditation");
  const root = accreditation && accreditation.evidence && accreditation.evidence.root;
  if (root) fact(facts, _("Top authority"), rootName(root, accreditation.evidence.root_name));
  if (certified && certified.valid_until) fact(facts, _("Valid until"), [timeElement(certified.valid_until)]);
  // The operator's destination authority (`registry serve --recognised-in`): what it recognises this as.
  // Whose decisions they are: by its name (the trust list's, else its DID).
  const recognition = report.recognition;
  if (recognition) {
    const value = element("span");  // not isolated: its words set the line's direction (dd: unicode-bidi: plaintext)
    value.append(...recognitionNodes(recognition));
    fact(facts, _("Recognised here"), fmtNodes(_("{label}: {value}"), { label: recognition.authority_name || recognition.authority, value }));
  }
  fact(facts, _("Read closely"), warningList(report.warnings));
  if (block !== undefined && report.checked_at) {
    fact(facts, _("Checked at"), block ? [timeElement(report.checked_at), fmt(_(" (block {block})"), { block })] : [timeElement(report.checked_at)]);
  }
}

// The service's own trust list (GET /api/trust-list), read once: its roots' names for the page, and
// a line under the form saying which authorities the answers rely on.
let TRUSTED = { configured: false, roots: [] };

// A root by the service's trust list's name for it; else by the name its own onboarding declares
// (`declared`, the accreditation check's `root_name`), said to be self-declared, as the command line
// says it: a root the list leaves out may take a listed root's name; else by its DID.
function rootName(did, declared) {
  const known = TRUSTED.roots.find((r) => r.did === did);
  if (known && known.name) return `${known.name} (${did})`;
  return declared ? fmt(_(INNER_PATTERNS.root[0]), { did, name: declared }) : did;
}

async function loadTrustList() {
  try {
    const response = await fetch("/api/trust-list");
    if (response.ok) TRUSTED = await response.json();
  } catch (error) {
    return;
  }
  TRUSTED.loaded = true;
  showTrustList();
}

function showTrustList() {
  if (!TRUSTED.loaded) return;
  const line = $("trust-list");
  if (!TRUSTED.configured) {
    line.textContent = _("This service has no trust list: nobody has named the authorities it trusts, so no credential is shown as valid; a genuine one is shown as not under an authority you trust.");
    return;
  }
  const names = joined(TRUSTED.roots.map((r) => r.name || r.did));
  const message = TRUSTED.name ? N_("Authorities this service trusts ({list}): {names}.") : N_("Authorities this service trusts: {names}.");
  line.replaceChildren(...fmtNodes(_(message), { list: TRUSTED.name, names }));
}

function clearResult() {
  $("unconfirmed").hidden = true;
  $("summary").replaceChildren();
  $("summary").hidden = true;
  $("checks").replaceChildren();
  $("facts").replaceChildren();
  $("credentials").replaceChildren();
  $("credentials").hidden = true;
}

// What went wrong, after the verdict's sentence: the report's own summary in English; in another
// language the first check that failed (or could not be made), its label translated and its
// message as the verifier wrote it, or for a passport how many of its credentials are valid.
function why(report) {
  if (document.documentElement.lang === "en" || !report.checks) return report.summary;
  const check = report.checks.find((c) => c.outcome === "fail") || report.checks.find((c) => c.outcome === "unknown");
  if (check) return fmt(_("{check}: {message}"), { check: label(check), message: detailOf(check) });
  if (report.credentials) {
    const valid = report.credentials.filter((c) => c.verdict === "valid").length;
    return fmt(_("{valid} of {total} credentials valid."), { valid, total: report.credentials.length });
  }
  return report.summary;
}

// The answer shown last, shown again when the language changes.
let SHOWN = null;

document.addEventListener("languagechange", () => {
  showTrustList();
  if (SHOWN) show(SHOWN.report, SHOWN.block);
});

function show(report, block) {
  SHOWN = { report, block };
  clearResult();
  if (report.kind === "passport") {
    showPassport(report, block);
    return;
  }
  let [title, detail] = wordsOf(VERDICTS, report.verdict, [N_("Unknown"), report.summary]);
  if (report.verdict === "could not determine" && inAnotherRegistry(report)) {
    detail = _("It names another registry than the one this service reads, so this service cannot check it. Nothing is known to be wrong: check it with that registry's service.");
  } else if (report.verdict === "could not determine" && fromTokenAlone(report)) {
    detail = _("This is a credential's token alone, and a credential issued in a cohort can be checked only with its file, which carries its Merkle proof. Nothing is known to be wrong: ask the holder for the credential's .json file and check that.");
  }
  const facts = $("facts");
  const warning = unconfirmed(report);
  $("unconfirmed").textContent = warning || "";
  $("unconfirmed").hidden = !warning;
  credentialFacts(facts, report, block);
  checkList($("checks"), report.checks, partiesOf(report));
  showVerdict(report.verdict, title, report.verdict === "valid" ? detail : `${detail} ${why(report)}`);
}

// The registry check could not be made because the file names another registry: trying again
// later does not help (the verdict's usual sentence says the registry could not be reached).
function inAnotherRegistry(report) {
  return (report.checks || []).some((c) => c.name === "registry" && c.outcome === "unknown" && /another registry/.test(c.message || ""));
}

// A credential's token alone (a bare JWT) whose own hash is not anchored, as a cohort member's never
// is: only its file, with the Merkle proof, can be checked, and trying again later does not help.
function fromTokenAlone(report) {
  return (report.checks || []).some((c) => c.name === "anchor" && c.outcome === "unknown" && /from this token alone/.test(c.message || ""));
}

// A skills passport: the holder's own checks first, then one panel per credential with its
// verdict in words; the panels of credentials that are not valid start open. When the holder
// checks fail, no credential in it is shown as valid: none is shown to be the presenter's.
function showPassport(report, block) {
  const failed = (name) => report.checks.some((c) => c.name === name && c.outcome === "fail");
  const notHolder = HOLDER_CHECKS.some(failed);
  let [title, detail] = wordsOf(PASSPORT_VERDICTS, report.verdict, [N_("Not valid"), N_("Do not rely on this passport.")]);
  if (report.verdict === "could not determine" && report.credentials.some(inAnotherRegistry)) {
    detail = _("Some credentials name another registry than the one this service reads, so this service cannot check them; check those with their registry's service.");
  } else if (report.verdict === "could not determine" && report.credentials.some(fromTokenAlone)) {
    detail = _("Some credentials are in it as their token alone, without the Merkle proof a credential issued in a cohort needs, so they cannot be checked. Nothing is known to be wrong: ask the holder for a passport made from the credentials' files.");
  }
  if (notHolder) {
    title = _("Not shown to be this person's passport");
    detail = _("The person presenting this passport could not be shown to be its holder, so nothing in it can be relied on as theirs.");
  } else if (failed("presentation")) {
    [title, detail] = [_("Not valid"), _("This is not a well-formed skills passport; do not rely on it.")];
  } else if (failed("presentation time")) {
    // Expired (or not yet valid): its credentials may each be valid, but this passport is not to be relied on now.
    [title, detail] = [_("Passport not valid now"), _("This passport is outside its validity period, so nothing in it counts: ask the holder for a new one.")];
  } else if (failed("audience")) {
    // Its credentials may each be valid, but the passport is not one given to you: nothing in it counts.
    [title, detail] = [_("Not made for you"), _("This passport was made for someone else, so nothing in it counts here: ask the holder for a passport made for you.")];
  }
  showCompetencies(report.competencies, report.credentials);
  const facts = $("facts");
  // The holder's DID, by the name her credentials give beside it (the summary's `holder`).
  const held = report.competencies && report.competencies.holder;
  fact(facts, _("Holder"), held && held.name && held.did === report.holder ? `${held.name} (${report.holder})` : report.holder);
  fact(facts, _("Credentials"), String(report.credentials.length));
  const checkedAt = (report.credentials.find((c) => c.checked_at) || {}).checked_at;
  if (block && checkedAt) fact(facts, _("Checked at"), [timeElement(checkedAt), fmt(_(" (block {block})"), { block })]);
  else if (block) fact(facts, _("Checked at block"), block);
  checkList($("checks"), report.checks, holderParty(report));
  const panels = $("credentials");
  for (const [n, credential] of report.credentials.entries()) {
    const [words] = wordsOf(VERDICTS, credential.verdict, [N_("Unknown")]);
    const info = credential.credential || {};
    const panel = element("details", null, { "data-verdict": credential.verdict, class: "credential" });
    if (credential.verdict !== "valid") panel.open = true;
    const summary = element("summary");
    if (notHolder) {
      summary.append(element("span", _("Not relied on: the passport failed its holder check"), { class: "badge", "data-verdict": "not relied on" }));
    } else {
      summary.append(element("span", words, { class: "badge", "data-verdict": credential.verdict }));
    }
    summary.append(element("span", info.achievement || fmt(_("Credential {number}"), { number: n + 1 }), { class: "title" }));
    panel.append(summary);
    if (notHolder) {
      panel.append(element("p", fmt(_("Checked on its own, this credential is: {verdict}. It is not shown to belong to the person presenting it."), { verdict: words }), { class: "detail" }));
    }
    const elsewhere = credential.verdict === "could not determine" && inAnotherRegistry(credential);
    const reason = elsewhere ? _("It names another registry than the one this service reads, so this service cannot check it. Nothing is known to be wrong: check it with that registry's service.") : why(credential);
    if (credential.verdict !== "valid") panel.append(withTimes(element("p", null, { class: "detail" }), reason));
    const warning = unconfirmed(credential);
    if (warning) panel.append(element("p", warning, { class: "note unconfirmed" }));
    const list = element("dl");
    credentialFacts(list, credential);
    panel.append(list);
    const checks = element("ul", null, { class: "checks" });
    checkList(checks, credential.checks, partiesOf(credential));
    panel.append(checks);
    panels.append(panel);
  }
  panels.hidden = report.credentials.length === 0;
  showVerdict(notHolder ? "invalid" : report.verdict, title, report.verdict === "valid" ? detail : `${detail} ${why(report)}`);
}

// The passport as a summary of competencies (the report's `competencies`), shown before the evidence:
// skills and occupations with the highest EQF level for each, issuers, then every credential with its verdict.
function showCompetencies(summary, credentials) {
  const box = $("summary");
  if (!summary) return;
  box.append(element("h2", _("Summary of competencies")));
  box.append(element("p", noteOf(summary), { class: "note" }));
  const facts = element("dl");
  // One person (her DID), named differently by her credentials' issuers: every name, with the credentials giving it;
  // one name's writings (spacing, letter case, Unicode form: ops/verify/summary.py) said to be the same name.
  // Each name in a <bdi> of its own, so that an Arabic line beginning with a Latin name is laid out right to left.
  const numbered = (n) => `"${n.name}" (${n.credentials.map((c) => `#${c}`).join(", ")})`;  // as the CLI, the PDF (kept whole)
  const ways = (n) => joined((n.differences || []).map((d) => _(d)));
  const names = (summary.holder_names || []).map((n) => (n.written
    ? fmtNodes(_("{names}: the same name, written differently ({ways})"), { names: n.written.map(numbered).join(" / "), ways: ways(n) })
    : element("bdi", numbered(n))));
  const single = summary.holder_names && summary.holder_names.length === 1 ? summary.holder_names[0] : null;
  if (single && single.written) {
    const writings = element("span");
    writings.append(...joinedNodes(single.written.map((n) => element("bdi", numbered(n))), true));
    fact(facts, _("Holder's name, written differently by the credentials"), fmtNodes(_("one name ({ways}): {names}"), { ways: ways(single), names: writings }));
  } else if (names.length) fact(facts, _("Holder, named differently by the credentials"), joinedNodes(names, true));
  else if (summary.holder && summary.holder.name) fact(facts, _("Holder"), summary.holder.name);
  if (summary.highest_eqf_level) fact(facts, _("Highest EQF level"), String(summary.highest_eqf_level));
  const areas = (entries) => (entries && entries.length ? [areaList(entries)] : null);
  fact(facts, _("Skills"), areas(summary.skills));
  fact(facts, _("Occupations"), areas(summary.occupations));
  const issuers = (summary.issuers || []).map((p) => element("bdi", p.name ? `${p.name} (${p.did})` : p.did));
  if (issuers.length) fact(facts, _("Issuers"), joinedNodes(issuers, true));
  // Whose decisions (the credentials' findings name the authority), each as "level N of F" with its conditions;
  // names in <bdi>s of their own, so that an Arabic line that begins with a Latin one is laid out right to left.
  const national = (summary.national_equivalents || []).map((e) => [`#${e.credential} `, element("bdi", e.qualification), " (",
    ...fmtNodes(_("level {level} of {framework}"), { level: e.level, framework: e.framework_name }),
    ...(e.conditions ? fmtNodes(_(", conditions: {conditions}"), { conditions: e.conditions }) : []), ")"]);
  const finding = (credentials || []).map((c) => c.recognition).find((r) => r);
  const by = finding ? [element("bdi", finding.authority_name || finding.authority), ": "] : [];
  const findings = (credentials || []).map((c) => c.recognition).filter((r) => r);
  const unchecked = findings.length && findings.every((r) => r.outcome === "could not check");
  const none = unchecked ? _("could not check (each credential's recognition line says why)") : _("none in force (each credential's recognition line says why)");
  if (summary.national_equivalents) fact(facts, _("National equivalents"), [...by, ...(national.length ? joinedNodes(national, true) : [none])]);
  box.append(facts);
  const list = element("ul", null, { class: "programmes" });
  for (const item of summary.programmes || []) {
    const [words] = wordsOf(VERDICTS, item.verdict, [N_("Unknown")]);
    const line = element("li", null, { "data-verdict": item.verdict });
    line.append(element("span", words, { class: "badge", "data-verdict": item.verdict }), " ");
    // Valid on its own, in a passport that failed one of its own checks: nothing in it counts.
    if (item.verdict === "valid" && item.counted === false) line.append(element("span", _("not counted"), { class: "badge", "data-verdict": "not relied on" }), " ");
    // A work-experience attestation: by an organisation registered, not accredited (its `assurance`).
    if (item.assurance === "registered organisation") line.append(element("span", _("attestation by a registered organisation, not accredited"), { class: "badge", "data-assurance": item.assurance }), " ");
    const issuer = item.issuer && (item.issuer.name || item.issuer.did);
    const eqf = item.eqf_level ? fmt(_(", EQF level {level}"), { level: item.eqf_level }) : "";
    const name = item.name || fmt(_("Credential {number}"), { number: item.number });
    line.append(issuer ? withBdi(element("span"), name, eqf, " — ", element("bdi", issuer)) : withBdi(element("span"), name, eqf));
    if (item.issued) line.append(_(", issued "), timeElement(item.issued));
    list.append(line);
  }
  box.append(list);
  box.hidden = false;
}

// The summary's note (ops/verify/summary.py's `_note`) in the page's language, from its numbers.
function noteOf(summary) {
  const refused = /^nothing counts: the passport failed its ([a-z, ]+) check$/.exec(summary.note || "");
  const total = (summary.programmes || []).length;
  if (document.documentElement.lang === "en" || typeof summary.counted !== "number") return summary.note;
  if (refused) return fmt(_("nothing counts: the passport failed its {checks} check"), { checks: joined(refused[1].split(", ").map((name) => _(name))) });
  if (summary.counted === total && total === 1) return _("its credential is valid and counts");
  if (summary.counted === total) return fmt(_("all {n} credentials are valid and count"), { n: total });
  return fmt(_("{v} of {n} credentials are valid and count; the others are listed with their verdict"), { v: summary.counted, n: total });
}

function areaList(entries) {
  const list = element("ul", null, { class: "aligned" });
  for (const area of entries) {
    const eqf = area.eqf_level ? fmt(_(" (EQF level {level})"), { level: area.eqf_level }) : "";
    list.append(withBdi(element("li", null, { title: area.uri, "data-uri": area.uri }), area.label || area.uri, eqf));
  }
  return list;
}

function refuse(title, detail, link) {
  SHOWN = null;
  clearResult();
  showVerdict("error", title, detail, link);
}

// `file` is the File the text came from, if any (for the messages); `kind` what its first bytes
// say it is (kindOfFile).
async function verify(text, file, kind) {
  if (!text.trim()) {
    if (file) refuse(_("Empty file"), fmt(_("The file “{name}” is empty: there is nothing in it to check."), { name: file.name }));
    else refuse(_("Nothing to check"), _("Paste a credential or a skills passport, or open its file, then press Check."));
    return;
  }
  const elsewhere = notForThisPage(kind || kindOfText(text), "credential");
  if (elsewhere) {
    refuse(...elsewhere);
    return;
  }
  const asked = askedTime($("at"));
  if (asked.error) {
    refuse(asked.title, asked.error);
    return;
  }
  const body = { credential: text.trim() };
  const audience = $("audience").value.trim();
  if (audience) body.audience = audience;
  if (asked.at) body.at = asked.at;
  const json = JSON.stringify(body);
  const size = new Blob([json]).size;
  if (size > MAX_BODY_BYTES) {
    refuse(_("Too large to check"), tooLarge(file ? _("Once packed for sending, this file") : _("Once packed for sending, this text"), size));
    return;
  }
  clearResult();
  showVerdict("pending", _("Checking…"), "");
  try {
    const response = await fetch("/verify", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: json,
    });
    const data = await response.json();
    if (!response.ok) {
      if (String(data && data.type).endsWith(":qr-misread")) {  // a QR code's text cut short or misread
        refuse(_("Could not read this QR code"), _("Its text is cut short or misread, so there is nothing to check (no verdict is given on part of a code): scan the code again, or paste all of its text."));
        return;
      }
      const refused = response.status >= 400 && response.status < 500 && response.status !== 429;
      // Larger than a credential file may be (and no passport): refused by the service, not judged.
      const tooLarge = data && data.type === "urn:skills-registry:problem:too-large";
      const title = tooLarge ? _("Too large to check") : refused ? _("Could not read this") : _("Could not check");
      refuse(title, problemText(data, response));
      return;
    }
    // The block is the newest one the service read: it says when the answer was given, which is
    // only "checked at" when no earlier date was asked about.
    show(data, asked.at ? undefined : response.headers.get("X-Block-Number"));
  } catch (error) {
    refuse(_("Could not check"), noAnswer());
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
    refuse(_("File too large"), tooLarge(fmt(_("The file “{name}”"), { name: file.name }), file.size));
    return;
  }
  const kind = await kindOfFile(file);
  // A PDF or a photo is not put in the text box: its bytes mean nothing there. Nor is a file larger
  // than a credential file (a passport's, or one the service will refuse as too large): laid out in
  // the box, a megabyte of text keeps the page busy for seconds before anything is sent.
  const text = kind ? "" : await file.text();
  $("credential").value = file.size > MAX_CREDENTIAL_BYTES ? "" : text;
  verify(kind ? file.name : text, file, kind);
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
      showVerdict("error", _("No camera"), _("The camera could not be opened; paste or open the file instead."));
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
