/* The portal's own script: small, and every page works without it.
 * 1. Keeps what a user types in a questionnaire form in localStorage until
 *    the server confirms it saved it, so a closed tab or an expired session
 *    loses nothing. The text is put back only on the revision it was typed
 *    on; if a colleague saved since, it is shown beside the form instead.
 * 2. Moves the forms of a page loaded at the revision an htmx save started
 *    from to the revision it made, so that the user's next save is not taken
 *    for a conflicting edit; forms loaded at any other revision keep theirs. */
(function () {
  "use strict";
  var PREFIX = "ceems-draft:";

  function storageKey(form) { return PREFIX + form.dataset.draftKey; }

  function revisionOf(form) {
    var input = form.querySelector("input[name=revision]");
    return input ? input.value : null;
  }

  // What the user typed, and the revision of the page they typed it on.
  function snapshot(form) {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "hidden" || el.type === "submit" || el.type === "button") return;
      fields[el.name] = el.type === "checkbox" || el.type === "radio" ? el.checked : el.value;
    });
    return { revision: revisionOf(form), fields: fields };
  }

  function labelOf(form, el) {
    var label = el.id && form.querySelector("label[for='" + el.id + "']");
    return label ? label.textContent.trim() : el.name;
  }

  // Text typed on an older revision is never put into the form: saving it
  // would overwrite what a colleague saved since. It is shown instead, so
  // that nothing typed is lost.
  function showStale(form, fields) {
    var note = form.querySelector("[data-draft-stale]");
    if (!note) return;
    var list = note.querySelector("dl");
    var shown = false;
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !(el.name in fields) || el.type === "hidden") return;
      var value = fields[el.name];
      if (el.type === "checkbox" || el.type === "radio" || typeof value !== "string") return;
      if (value === el.value || value === "") return;
      var term = document.createElement("dt");
      term.textContent = labelOf(form, el);
      var detail = document.createElement("dd");
      detail.textContent = el.tagName === "SELECT" && el.querySelector("option[value='" + CSS.escape(value) + "']")
        ? el.querySelector("option[value='" + CSS.escape(value) + "']").textContent
        : value;
      list.appendChild(term);
      list.appendChild(detail);
      shown = true;
    });
    note.hidden = !shown;
  }

  function restore(form) {
    var raw, data, changed = false;
    try { raw = window.localStorage.getItem(storageKey(form)); } catch (e) { return; }
    if (!raw) return;
    try { data = JSON.parse(raw); } catch (e) { return; }
    if (!data || typeof data.fields !== "object") return;
    if (data.revision !== revisionOf(form)) {
      showStale(form, data.fields);
      return;
    }
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !(el.name in data.fields) || el.type === "hidden") return;
      var value = data.fields[el.name];
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
  // A save of this page moved the response from one revision to the next:
  // the forms loaded at the old one may post the new one (and their kept
  // drafts too). A form loaded at another revision keeps its number, so that
  // saving it still conflicts instead of overwriting what it never showed.
  document.addEventListener("revisionChanged", function (event) {
    var from = String(event.detail.from), to = String(event.detail.to);
    document.querySelectorAll("input[name=revision]").forEach(function (input) {
      if (input.value !== from) return;
      input.value = to;
      var form = input.form;
      if (!form || !form.dataset.draftKey) return;
      var raw, data;
      try { raw = window.localStorage.getItem(storageKey(form)); } catch (e) { return; }
      if (!raw) return;
      try { data = JSON.parse(raw); } catch (e) { return; }
      if (data && data.revision === from) {
        data.revision = to;
        try { window.localStorage.setItem(storageKey(form), JSON.stringify(data)); } catch (e) { /* ignore */ }
      }
    });
  });
})();
