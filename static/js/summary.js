/* The summary table's filter form: leave empty filters out of the URL that
 * htmx requests and pushes, so that it reads like a link someone would share.
 * Without JavaScript the form still works; its URL just lists empty fields. */
(function () {
  "use strict";
  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (!elt.matches || !elt.matches("form[data-drop-empty]")) return;
    var params = event.detail.parameters;
    Object.keys(params).forEach(function (name) {
      if (params[name] === "") delete params[name];
    });
  });
})();
