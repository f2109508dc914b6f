// The payment page: Stripe's Payment Element, confirmed in the browser.
// Card details go from this page straight to Stripe; the shop never sees them.
// The order becomes paid only when Stripe's webhook arrives, never on this page.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("payment-form");
  if (!form || typeof Stripe === "undefined") {
    return;
  }
  var stripe = Stripe(form.dataset.publishableKey, { locale: form.dataset.locale || "auto" });
  var elements = stripe.elements({ clientSecret: form.dataset.clientSecret });
  var paymentElement = elements.create("payment");
  paymentElement.mount("#payment-element");
  var message = document.getElementById("payment-message");
  var button = document.getElementById("payment-submit");
  // Words the customer reads come translated from the page (data- attributes), never from here.
  var payLabel = button.textContent;

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    button.textContent = form.dataset.processingLabel || payLabel;
    message.hidden = true;
    stripe
      .confirmPayment({ elements: elements, confirmParams: { return_url: form.dataset.returnUrl } })
      .then(function (result) {
        // Only reached when the payment failed at once (a decline, a typo in the card);
        // on success Stripe takes the customer to the return_url.
        if (result.error) {
          showError(result.error.message);
        }
      }, function () {
        showError("");
      });
  });

  // Stripe words its own errors in the page's language; anything else gets the page's text.
  function showError(text) {
    message.textContent = text || form.dataset.errorFallback;
    message.hidden = false;
    button.textContent = payLabel;
    button.disabled = false;
  }
});
