"use strict";
// Shared by both pages: building elements, times in words, the date field, the verdict box and
// the message when the service does not answer. All text goes in with textContent or as text
// nodes, never as HTML.

const $ = (id) => document.getElementById(id);

function element(tag, text, attrs) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
  return node;
}

const NO_ANSWER = "The service did not answer. Check your connection and try again.";

// ---- Times: shown as "26 Nov 2026, 03:19 UTC", the exact ISO value kept in <time datetime> and
// its tooltip.
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const ISO_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z/g;

function readableTime(iso) {
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return iso;
  const two = (n) => String(n).padStart(2, "0");
  return `${when.getUTCDate()} ${MONTHS[when.getUTCMonth()]} ${when.getUTCFullYear()}, `
    + `${two(when.getUTCHours())}:${two(when.getUTCMinutes())} UTC`;
}

function timeElement(iso) {
  return element("time", readableTime(iso), { datetime: iso, title: iso });
}

// Appends `text` to `node`, every ISO time in it as a readable <time>; returns the node.
function withTimes(node, text) {
  const words = text === undefined || text === null ? "" : String(text);
  let last = 0;
  for (const match of words.matchAll(ISO_TIME)) {
    node.append(words.slice(last, match.index), timeElement(match[0]));
    last = match.index + match[0].length;
  }
  node.append(words.slice(last));
  return node;
}

// ---- The date field ("was it valid on this date?").
function localDay(date) {
  const two = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}`;
}

// The picker offers no day after today (the form is novalidate, so a typed one still reaches
// askedTime and gets the page's own message rather than the browser's).
function limitDateField(input) {
  input.max = localDay(new Date());
}

// What to ask the registry about for the day picked, as { at } (an ISO time, or none for "now")
// or { error }. The registry can only answer up to its newest block:
// - no day, or today: no `at`, so the service answers as of its newest block. (The end of today
//   is in the future, and even the current moment may be after the newest block, which the
//   service answers "could not determine".)
// - a past day: the end of that day where the reader is;
// - a future day: refused here, never sent.
function askedTime(input) {
  const value = input.value;
  if (!value) return {};
  const [year, month, day] = value.split("-").map(Number);
  const picked = new Date(year, month - 1, day);
  picked.setFullYear(year); // years 0-99 would otherwise mean 1900-1999
  const now = new Date();
  const today = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  if (Number.isNaN(picked.getTime())) return { error: "That date could not be read; pick it again." };
  if (picked > today) {
    return { error: "Pick today or an earlier day: the registry can only answer up to now." };
  }
  if (picked.getTime() === today.getTime()) return {};
  const end = new Date(year, month - 1, day, 23, 59, 59);
  end.setFullYear(year);
  return { at: end.toISOString().replace(/\.\d{3}Z$/, "Z") };
}

// ---- The verdict box: a heading (focused once the answer is in, so keyboard and screen-reader
// users land on it) and a sentence.
function showVerdict(verdict, title, detail) {
  const box = $("verdict");
  box.dataset.verdict = verdict;
  const heading = element("h2", title, { id: "verdict-title", tabindex: "-1" });
  box.replaceChildren(heading, withTimes(element("small"), detail));
  $("result").hidden = false;
  if (verdict !== "pending") heading.focus();
}
