// Add to cart from a product list without leaving the page.
//
// Progressive enhancement of the cards' plain POST forms (form[data-cart-add]): without this
// script they post, the shop redirects back with a message and the header's count. With it,
// the form is sent with fetch asking for JSON; the header's count is updated and the live
// region (p[data-cart-live]) announces what was added. Anything unexpected (a network error,
// an answer that is not JSON, an expired session) falls back to the plain form submission,
// so the visitor always ends up with a page that says what happened.
(function () {
  "use strict";

  var hideLater = 0;

  function countElement() {
    var existing = document.querySelector("[data-cart-count]") || document.querySelector(".cart-count");
    if (existing) {
      return existing;
    }
    var link = document.querySelector(".cart-link");
    if (!link) {
      return null; // no header to update: the live region still says it
    }
    var created = document.createElement("span");
    created.className = "cart-count";
    created.setAttribute("data-cart-count", "");
    link.appendChild(document.createTextNode(" "));
    link.appendChild(created);
    return created;
  }

  function announce(text, isError) {
    var region = document.querySelector("[data-cart-live]");
    if (!region) {
      return;
    }
    region.classList.toggle("cart-live-error", Boolean(isError));
    // Emptied first, so the same message twice in a row is announced twice.
    region.textContent = "";
    window.clearTimeout(hideLater);
    window.setTimeout(function () {
      region.textContent = text;
      // Read out at once; taken off the screen after a while so it covers nothing for long.
      hideLater = window.setTimeout(function () {
        region.textContent = "";
      }, 8000);
    }, 50);
  }

  async function send(form) {
    var button = form.querySelector("button[type=submit]");
    if (button) {
      button.disabled = true;
    }
    try {
      var response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) {
        form.submit(); // e.g. an expired form token: the plain page explains it
        return;
      }
      var answer = await response.json();
      if (response.ok) {
        var count = countElement();
        if (count) {
          count.textContent = String(answer.count);
        }
      }
      announce(answer.message, !response.ok);
    } catch (error) {
      form.submit();
    } finally {
      if (button) {
        button.disabled = false;
      }
    }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-cart-add")) {
      return;
    }
    if (!window.fetch || !window.FormData) {
      return;
    }
    event.preventDefault();
    send(form);
  });
})();
