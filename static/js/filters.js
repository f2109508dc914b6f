/* A category page's filters, applied as soon as they change (progressive enhancement).

Without this script the form has an "Apply" button and works as a plain GET form. With it,
the button is hidden and the form is sent when a box is ticked or the sort is chosen, and
half a second after the visitor stops typing a price. Empty boxes and the default sort are
left out of the address, so a shared link reads like the filters it asks for. After the page comes back, the
filters stay open (on a phone) and the control the visitor used has the focus again. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-auto-submit]");
  if (!form) { return; }
  var details = form.closest("details");
  var KEY = "shop.filters.used";
  var DELAY_MS = 600;
  var timer = null;

  var apply = form.querySelector("[data-apply]");
  if (apply) { apply.hidden = true; }

  function controlId(control) {
    return control.name + "=" + (control.type === "checkbox" ? control.value : "");
  }

  function leaveOutEmptyBoxes() {
    Array.prototype.forEach.call(form.elements, function (field) {
      var isEmpty = field.type === "text" && field.value.trim() === "";
      var isDefault = field.hasAttribute("data-default") && field.value === field.getAttribute("data-default");
      if (field.name && (isEmpty || isDefault)) { field.disabled = true; }
    });
  }

  function send(control) {
    window.clearTimeout(timer);
    try {
      window.sessionStorage.setItem(KEY, control ? controlId(control) : "");
    } catch (e) { /* storage refused: the page still works, the focus just is not restored */ }
    leaveOutEmptyBoxes();
    form.submit();
  }

  form.addEventListener("change", function (event) {
    var control = event.target;
    if (control.hasAttribute("data-debounce")) { return; }  // typed: see "input" below
    send(control);
  });

  form.addEventListener("input", function (event) {
    var control = event.target;
    if (!control.hasAttribute("data-debounce")) { return; }
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { send(control); }, DELAY_MS);
  });

  form.addEventListener("submit", leaveOutEmptyBoxes);
  // Back to this page from the browser's cache: the boxes left out must be usable again.
  window.addEventListener("pageshow", function () {
    Array.prototype.forEach.call(form.elements, function (field) { field.disabled = false; });
  });

  var used = null;
  try {
    used = window.sessionStorage.getItem(KEY);
    window.sessionStorage.removeItem(KEY);
  } catch (e) { used = null; }
  if (used !== null) {
    if (details) { details.open = true; }
    var found = null;
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!found && field.name && controlId(field) === used) { found = field; }
    });
    if (found) {
      found.focus();
      if (found.type === "text") {
        var end = found.value.length;
        found.setSelectionRange(end, end);
      }
    }
  }
})();
