"use strict";
// The page's language (registry/i18n, docs/ARCHITECTURE.md "Languages"): chosen from ?lang=, else
// the language picked before (kept in this browser), else the browser's own languages, else
// English. Its words come from the service (GET /api/i18n/LANG), made from the same gettext
// catalogs the command line reads; `_()` looks a message up (English is the message itself),
// `fmt()` fills its {fields}. Elements marked data-i18n (their text), data-i18n-placeholder and
// data-i18n-label (their aria-label) are translated in place; <html lang> and dir follow the language.

let MESSAGES = {};
// How the language separates a list's items: a comma, a semicolon (registry/i18n's SEPARATORS, from the catalog).
const ENGLISH_SEPARATORS = [", ", "; "];
let SEPARATORS = ENGLISH_SEPARATORS;
const LANG_KEY = "registry-lang";

function _(message) {
  return Object.prototype.hasOwnProperty.call(MESSAGES, message) ? MESSAGES[message] : message;
}

// Marks a message where it is defined (a table); `_()` translates it where it is shown.
function N_(message) {
  return message;
}

// `parts` as a list in the page's language: with its comma, or its semicolon (`strong`).
function joined(parts, strong) {
  return parts.join(SEPARATORS[strong ? 1 : 0]);
}

// As `joined`, for lists of nodes (each part a node, a string or an array of them): one flat array.
function joinedNodes(parts, strong) {
  return parts.flatMap((part, n) => [...(n ? [SEPARATORS[strong ? 1 : 0]] : []), ...[part].flat()]);
}

function fmt(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

function offeredLanguages() {
  const picker = document.getElementById("lang");
  return picker ? [...picker.options].map((option) => option.value) : ["en"];
}

function pickLanguage() {
  const offered = offeredLanguages();
  const asked = new URLSearchParams(window.location.search).get("lang");
  let kept = null;
  try { kept = window.localStorage.getItem(LANG_KEY); } catch (error) { kept = null; }
  const wanted = [asked, kept, ...(navigator.languages || [navigator.language])];
  for (const tag of wanted) {
    const code = tag ? tag.toLowerCase().split(/[-_]/)[0] : null;
    if (code && offered.includes(code)) return code;
  }
  return "en";
}

function translateStatic() {
  for (const node of document.querySelectorAll("[data-i18n]")) {
    if (node.dataset.i18nSource === undefined) node.dataset.i18nSource = node.textContent.replace(/\s+/g, " ").trim();
    node.textContent = _(node.dataset.i18nSource);
  }
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) {
    if (!node.dataset.i18nPlaceholder) node.dataset.i18nPlaceholder = node.getAttribute("placeholder");
    node.setAttribute("placeholder", _(node.dataset.i18nPlaceholder));
  }
  for (const node of document.querySelectorAll("[data-i18n-label]")) {
    if (!node.dataset.i18nLabel) node.dataset.i18nLabel = node.getAttribute("aria-label");
    node.setAttribute("aria-label", _(node.dataset.i18nLabel));
  }
}

// Loads `code`'s words, then sets lang and dir, translates the page, and tells the page's script
// ("languagechange" on document) so it shows its answer again in the new language.
async function setLanguage(code) {
  let dir = "ltr";
  if (code === "en") {
    MESSAGES = {};
    SEPARATORS = ENGLISH_SEPARATORS;
  } else {
    try {
      const response = await fetch(`/api/i18n/${encodeURIComponent(code)}`);
      if (!response.ok) return;
      const catalog = await response.json();
      MESSAGES = catalog.messages;
      SEPARATORS = catalog.separators || ENGLISH_SEPARATORS;
      dir = catalog.dir;
    } catch (error) {
      return;
    }
  }
  document.documentElement.lang = code;
  document.documentElement.dir = dir;
  const picker = document.getElementById("lang");
  if (picker) picker.value = code;
  translateStatic();
  document.dispatchEvent(new CustomEvent("languagechange", { detail: code }));
}

const LANGUAGE_READY = (async () => {
  const picker = document.getElementById("lang");
  if (picker) {
    picker.addEventListener("change", () => {
      try { window.localStorage.setItem(LANG_KEY, picker.value); } catch (error) { /* private mode: not kept */ }
      setLanguage(picker.value);
    });
  }
  await setLanguage(pickLanguage());
})();
