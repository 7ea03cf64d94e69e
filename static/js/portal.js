/* The portal's own script: small, and every page works without it.
 * 1. Keeps what a user types in a questionnaire form in localStorage until
 *    the server confirms it saved it, so a closed tab or an expired session
 *    loses nothing.
 * 2. Keeps the `revision` of every form on a page current after an htmx save,
 *    so that the next save is not taken for a conflicting edit. */
(function () {
  "use strict";
  var PREFIX = "ceems-draft:";

  function storageKey(form) { return PREFIX + form.dataset.draftKey; }

  function snapshot(form) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "hidden" || el.type === "submit" || el.type === "button") return;
      data[el.name] = el.type === "checkbox" || el.type === "radio" ? el.checked : el.value;
    });
    return data;
  }

  function restore(form) {
    var raw, data, changed = false;
    try { raw = window.localStorage.getItem(storageKey(form)); } catch (e) { return; }
    if (!raw) return;
    try { data = JSON.parse(raw); } catch (e) { return; }
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !(el.name in data) || el.type === "hidden") return;
      var value = data[el.name];
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked !== value) { el.checked = value; changed = true; }
      } else if (el.value !== value) { el.value = value; changed = true; }
    });
    if (changed) {
      var note = form.querySelector("[data-draft-restored]");
      if (note) note.hidden = false;
    }
  }

  function remember(form) {
    try { window.localStorage.setItem(storageKey(form), JSON.stringify(snapshot(form))); } catch (e) { /* storage full or off */ }
  }

  function bind(root) {
    if (!root.querySelectorAll) return;
    root.querySelectorAll("[data-draft-saved]").forEach(function (el) {
      try { window.localStorage.removeItem(PREFIX + el.dataset.draftSaved); } catch (e) { /* ignore */ }
    });
    root.querySelectorAll("form[data-draft-key]").forEach(function (form) {
      if (form.dataset.draftBound) return;
      form.dataset.draftBound = "1";
      restore(form);
    });
  }

  // Delegated, so a form swapped in by htmx is remembered from its first keystroke.
  function onEdit(event) {
    var form = event.target.closest && event.target.closest("form[data-draft-key]");
    if (form) remember(form);
  }
  document.addEventListener("input", onEdit);
  document.addEventListener("change", onEdit);

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { bind(document); });
  } else {
    bind(document);
  }
  document.addEventListener("htmx:load", function (event) { bind(event.detail.elt.parentNode || event.detail.elt); });
  document.addEventListener("revisionChanged", function (event) {
    document.querySelectorAll("input[name=revision]").forEach(function (input) { input.value = event.detail.value; });
  });
})();
