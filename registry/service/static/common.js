"use strict";
// Shared by both pages: building elements, times in words, the date field, the verdict box and
// the message when the service does not answer. All text goes in with textContent or as text
// nodes, never as HTML, and through `shown`.

const $ = (id) => document.getElementById(id);

// Text from a credential, a node or a person, shown inert as the CLI prints it (registry/text.py):
// control characters, line separators, lone surrogates and invisible format characters (bidi
// embeddings, overrides and isolates, zero-width space, BOM, tags...) as visible escapes, so a
// credential's name cannot reverse or hide the text after it. Joiners and direction marks stay.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u00ad\u0600-\u0605\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b\u2028-\u202e\u2060-\u2064\u2066-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb\u{110bd}\u{110cd}\u{13430}-\u{1343f}\u{1bca0}-\u{1bca3}\u{1d173}-\u{1d17a}\u{e0001}\u{e0020}-\u{e007f}]/gu;

function shown(text) {
  return String(text).replace(UNSAFE, (c) => {
    const code = c.codePointAt(0);
    if (code < 0x100) return `\\x${code.toString(16).padStart(2, "0")}`;
    if (code < 0x10000) return `\\u${code.toString(16).padStart(4, "0")}`;
    return `\\U${code.toString(16).padStart(8, "0")}`;
  });
}

function element(tag, text, attrs) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = shown(text);
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
  return node;
}

// `fmt` as nodes: the template's text, and each value in a <bdi> of its own (or as given, when it is
// a node), so a name in another script (a Latin name in an Arabic sentence) neither reorders nor takes
// the brackets around it.
function fmtNodes(template, values) {
  const nodes = [];
  let last = 0;
  for (const match of template.matchAll(/\{(\w+)\}/g)) {
    if (!(match[1] in values)) continue;
    const value = values[match[1]];
    nodes.push(shown(template.slice(last, match.index)), value instanceof Node ? value : element("bdi", String(value)));
    last = match.index + match[0].length;
  }
  nodes.push(shown(template.slice(last)));
  return nodes;
}

// In the page's language (registry/service/static/i18n.js), looked up when shown.
function noAnswer() {
  return _("The service did not answer. Check your connection and try again.");
}

// ---- Times: shown as "26 Nov 2026, 03:19 UTC", the exact ISO value kept in <time datetime> and
// its tooltip.
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const ISO_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z/g;

function readableTime(iso) {
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return iso;
  const lang = document.documentElement.lang;
  if (lang && lang !== "en") {
    const options = { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "UTC" };
    return `${new Intl.DateTimeFormat(lang, options).format(when)} UTC`;
  }
  const two = (n) => String(n).padStart(2, "0");
  return `${when.getUTCDate()} ${MONTHS[when.getUTCMonth()]} ${when.getUTCFullYear()}, `
    + `${two(when.getUTCHours())}:${two(when.getUTCMinutes())} UTC`;
}

function timeElement(iso) {
  return element("time", readableTime(iso), { datetime: iso, title: iso });
}

// Appends `text` to `node`, every ISO time in it as a readable <time>; returns the node.
function withTimes(node, text) {
  const words = text === undefined || text === null ? "" : shown(text);
  let last = 0;
  for (const match of words.matchAll(ISO_TIME)) {
    node.append(words.slice(last, match.index), timeElement(match[0]));
    last = match.index + match[0].length;
  }
  node.append(words.slice(last));
  return node;
}

// ---- The date field ("was it valid on this date?"). A day means what it means on the command
// line and in the API (registry/formats/dates.py): the END of that day, UTC, and today means now.
// The page sends the day as picked and the service reads it; the page only refuses a day after
// today (UTC), which nobody can answer yet.
function utcDay(date) {
  return date.toISOString().slice(0, 10);
}

// The picker offers no day after today, UTC (the form is novalidate, so a typed one still reaches
// askedTime and gets the page's own message rather than the browser's).
function limitDateField(input) {
  input.max = utcDay(new Date());
}

// What to ask the registry about for the day picked, as { at } (the day, YYYY-MM-DD, for the
// service to read), {} for today (now, as the service would read today's date too) or { title, error }
// (the box's heading says what went wrong: a date not understood, or one in the future).
function askedTime(input) {
  const value = input.value;
  if (!value) return {};
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(new Date(`${value}T00:00:00Z`).getTime())) {
    return { title: _("Date not understood"), error: _("That date could not be read; pick it again.") };
  }
  const today = utcDay(new Date());
  if (value > today) {
    return { title: _("Date in the future"), error: _("Pick today or an earlier day: the registry can only answer up to now.") };
  }
  return value === today ? {} : { at: value };
}

// ---- Ask the service, and show its answer with `show`: an answer that does not come, or the
// service or its chain failing, is "Could not check" (with the service's reason when it gave one);
// a request it refused as not readable (4xx) is "Could not read this", never "Could not check".
async function askService(url, options, show) {
  let response;
  let data;
  try {
    response = await fetch(url, options);
    data = await response.json();
  } catch (error) {
    showVerdict("error", _("Could not check"), noAnswer());
    return;
  }
  if (!response.ok) {
    const title = response.status >= 400 && response.status < 500 && response.status !== 429 ? _("Could not read this") : _("Could not check");
    showVerdict("error", title, problemText(data, response));
    return;
  }
  show(data);
}

// A refusal's words (RFC 9457 problem `detail`); never raw JSON, whatever shape the body has.
function problemText(data, response) {
  const detail = data && data.detail;
  if (typeof detail === "string" && detail) return detail;
  if (Array.isArray(detail)) {
    const said = detail.map((item) => (item && typeof item.msg === "string" ? item.msg : "")).filter(Boolean);
    if (said.length) return said.join("; ");
  }
  return (data && typeof data.title === "string" && data.title) || response.statusText || `HTTP ${response.status}`;
}

// ---- Files that are not what a page checks: told apart before anything is sent, in the page's
// language, with where to check them instead. `page` is "credential" or "logbook".
const MAX_BODY_BYTES = 2 * 1024 * 1024;
// What a credential file is at most (formats/holderfile.py); only a skills passport may be larger.
const MAX_CREDENTIAL_BYTES = 1024 * 1024;

function inMegabytes(bytes) {
  if (bytes < 1024) return fmt(_("{n} bytes"), { n: bytes });
  if (bytes < 1024 * 1024) return fmt(_("{n} KB"), { n: Math.ceil(bytes / 1024) });
  const mb = bytes / (1024 * 1024);
  return fmt(_("{n} MB"), { n: mb >= 10 ? Math.ceil(mb) : Math.ceil(mb * 10) / 10 });
}

function tooLarge(what, bytes) {
  return fmt(_("{what} is {size}; the service accepts up to {limit}."), { what, size: inMegabytes(bytes), limit: inMegabytes(MAX_BODY_BYTES) });
}

// What the first bytes of a file say it is: "pdf", "image" (JPEG, PNG, GIF, WebP, HEIC), else null.
function kindOfBytes(bytes) {
  const at = (offset, ascii) => [...ascii].every((c, i) => bytes[offset + i] === c.charCodeAt(0));
  if (at(0, "%PDF")) return "pdf";
  if ((bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) || (bytes[0] === 0x89 && at(1, "PNG"))) return "image";
  if (at(0, "GIF8") || (at(0, "RIFF") && at(8, "WEBP")) || at(4, "ftyp")) return "image";
  return null;
}

async function kindOfFile(file) {
  return kindOfBytes(new Uint8Array(await file.slice(0, 16).arrayBuffer()));
}

// What a text is: "pdf", "logbook" (an extract), "credential" (a credential, a passport, a JWT or a
// printed passport's QR code text), or null (anything else: the service says what is wrong with it).
function kindOfText(text) {
  const start = text.trimStart();
  if (start.startsWith("%PDF")) return "pdf";
  if (/^(SKC1:|eyJ)/.test(start)) return "credential";
  if (!start.startsWith("{")) return null;
  let data;
  try { data = JSON.parse(start); } catch (error) { return null; }
  if (!data || typeof data !== "object") return null;
  const format = String(data.format || "");
  if (format.startsWith("skills-logbook-extract/")) return "logbook";
  if (format.startsWith("skills-credential/") || format.startsWith("skills-passport/")) return "credential";
  const types = Array.isArray(data.type) ? data.type : [data.type];
  return types.includes("VerifiablePresentation") || types.includes("VerifiableCredential") ? "credential" : null;
}

// A box's (title, detail, link) for text that is not for this page, else null.
function notForThisPage(kind, page) {
  if (kind === "pdf") {
    const detail = page === "logbook"
      ? _("This is a PDF, not a logbook extract: open the extract's .json file the learner gave you.")
      : _("This is a PDF (a printed passport?), not a credential file: open the passport's .json file, or paste the text of each QR code printed in it.");
    return [_("Not a file this page can check"), detail, null];
  }
  if (kind === "image") {
    const detail = page === "logbook"
      ? _("This is an image, not a logbook extract: open the extract's .json file the learner gave you.")
      : _("This is an image, not a credential file: open the credential's .json file, or paste the text of its QR code.");
    return [_("Not a file this page can check"), detail, null];
  }
  if (kind === "logbook" && page !== "logbook") {
    return [_("This is a logbook extract"), _("A skills logbook extract is checked entry by entry on the logbook page."), ["/logbook", _("Check it on the logbook page")]];
  }
  if (kind === "credential" && page === "logbook") {
    return [_("This is a credential, not a logbook extract"), _("A skills credential or passport is checked on the credential page."), ["/", _("Check it on the credential page")]];
  }
  return null;
}

// ---- The verdict box: a heading (focused once the answer is in, so keyboard and screen-reader
// users land on it) and a sentence. The box alone is the live region (role="status"): a screen
// reader announces the verdict, not every check and entry under it.
function showVerdict(verdict, title, detail, link) {
  const box = $("verdict");
  box.dataset.verdict = verdict;
  const heading = element("h2", title, { id: "verdict-title", tabindex: "-1" });
  box.replaceChildren(heading, withTimes(element("small"), detail));
  if (link) box.append(element("a", link[1], { href: link[0], class: "elsewhere" }));
  $("result").hidden = false;
  if (verdict !== "pending") heading.focus();
}

// Texts to read closely (a credential's or an extract's report's `warnings`, registry/formats/flags.py):
// a name, title or label holding an invisible or reordering character, or a name mixing look-alike
// scripts. Never a verdict.
// Worded as the command line words them: the field and script names are registry/i18n/flagwords.py's
// messages, in the catalog the page is sent, so `_()` says them; the text itself stays escaped.
function warningText(warning) {
  const field = _(warning.field);
  if (warning.problem === "hidden character") {
    return fmt(_('{field} "{text}" holds {character}: another program may show it as other text than the one signed (shown here escaped)'), { field, text: warning.text, character: warning.character });
  }
  if (warning.problem === "mixed scripts") {
    const scripts = (warning.scripts || []).map((s) => _(s));
    const mixed = scripts.length > 1 ? fmt(_("{some} and {last}"), { some: joined(scripts.slice(0, -1)), last: scripts[scripts.length - 1] }) : scripts.join("");
    return fmt(_('{field} "{text}": the word "{word}" mixes {scripts} letters, which look alike: it may imitate another name'), { field, text: warning.text, word: warning.word, scripts: mixed });
  }
  return warning.message;
}

function warningList(warnings) {
  if (!warnings || !warnings.length) return null;
  const list = element("ul", null, { class: "warnings" });
  for (const warning of warnings) list.append(element("li", warningText(warning), { "data-field": warning.field, "data-problem": warning.problem }));
  return [list];
}
