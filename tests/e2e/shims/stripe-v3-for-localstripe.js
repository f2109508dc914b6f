// Stripe.js v3 as the browser tests need it: a stand-in served by Playwright in place of
// `<localstripe>/js.stripe.com/v3/`, for tests only.
//
// localstripe's own fake Stripe.js has no Payment Element and no `confirmPayment`, and its
// card form always opens a fake 3-D Secure dialog. The shop's payment page
// (static/js/payment.js) is written for real Stripe.js and must run unchanged, so this file
// gives it the part of Stripe.js it uses, with real Stripe.js's rules for how it is called:
//
//   Stripe(publishableKey, options)               a key starting "pk_"
//   stripe.elements({ clientSecret })             a PaymentIntent's client secret
//   elements.create("payment").mount(selector)    plain inputs: card number, expiry, CVC
//   stripe.confirmPayment({ elements, confirmParams: { return_url } })
//
// confirmPayment talks to localstripe's API the way Stripe.js talks to Stripe's: create a
// PaymentMethod, attach it to the PaymentIntent, confirm. Card data go from this page to
// "Stripe" only. The calls need a secret key at localstripe; the test's route handler adds
// that header (set from here, it would cost a CORS preflight that localstripe refuses).
// On success the page goes to return_url with the parameters Stripe adds; on a decline the
// promise resolves to `{ error }`, as Stripe.js's does.
(function () {
  "use strict";

  var API = new URL(document.currentScript.src).origin;

  function integrationError(message) {
    var error = new Error(message);
    error.name = "IntegrationError";
    return error;
  }

  function intentIdOf(clientSecret) {
    var match = /^(pi_[A-Za-z0-9]+)_secret_[A-Za-z0-9]+$/.exec(clientSecret || "");
    if (!match) {
      throw integrationError("Invalid value for elements(): clientSecret should be a client secret of the form ${id}_secret_${secret}.");
    }
    return match[1];
  }

  function post(path, params) {
    return fetch(API + path, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(params).toString(),
    }).then(function (response) {
      return response.json().then(function (body) {
        return { ok: response.ok, body: body };
      });
    });
  }

  // --- the Payment Element: three labelled inputs, no iframe ------------------------------

  var FIELDS = [
    { name: "number", label: "Card number", autocomplete: "cc-number", placeholder: "1234 1234 1234 1234" },
    { name: "expiry", label: "Expiration date", autocomplete: "cc-exp", placeholder: "MM / YY" },
    { name: "cvc", label: "Security code", autocomplete: "cc-csc", placeholder: "CVC" },
  ];

  function PaymentElement() {
    this.inputs = null;
  }

  PaymentElement.prototype.mount = function (target) {
    var container = typeof target === "string" ? document.querySelector(target) : target;
    if (!container) {
      throw integrationError("The selector you specified (" + target + ") applies to no DOM elements that are currently on the page.");
    }
    var inputs = {};
    var wrapper = document.createElement("div");
    wrapper.className = "localstripe-payment-element";
    FIELDS.forEach(function (field) {
      var id = "localstripe-" + field.name;
      var label = document.createElement("label");
      label.htmlFor = id;
      label.textContent = field.label;
      var input = document.createElement("input");
      input.id = id;
      input.name = "localstripe-" + field.name;
      input.inputMode = "numeric";
      input.autocomplete = field.autocomplete;
      input.placeholder = field.placeholder;
      var row = document.createElement("p");
      row.appendChild(label);
      row.appendChild(document.createElement("br"));
      row.appendChild(input);
      wrapper.appendChild(row);
      inputs[field.name] = input;
    });
    container.appendChild(wrapper);
    this.inputs = inputs;
    return this;
  };

  PaymentElement.prototype.card = function () {
    var number = this.inputs.number.value.replace(/\s+/g, "");
    var expiry = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(this.inputs.expiry.value);
    var cvc = this.inputs.cvc.value.trim();
    if (!/^\d{16}$/.test(number)) {
      return { error: { type: "validation_error", code: "incomplete_number", message: "Your card number is incomplete." } };
    }
    if (!expiry) {
      return { error: { type: "validation_error", code: "incomplete_expiry", message: "Your card's expiration date is incomplete." } };
    }
    if (!/^\d{3}$/.test(cvc)) {
      return { error: { type: "validation_error", code: "incomplete_cvc", message: "Your card's security code is incomplete." } };
    }
    return { number: number, exp_month: expiry[1], exp_year: expiry[2], cvc: cvc };
  };

  function Elements(options) {
    this.intentId = intentIdOf(options && options.clientSecret);
    this.clientSecret = options.clientSecret;
    this.paymentElement = null;
  }

  Elements.prototype.create = function (type) {
    if (type !== "payment") {
      throw integrationError("This stand-in only has the Payment Element, not \"" + type + "\".");
    }
    this.paymentElement = new PaymentElement();
    return this.paymentElement;
  };

  // --- Stripe(publishableKey) -------------------------------------------------------------

  function StripeStandIn(publishableKey) {
    if (!(this instanceof StripeStandIn)) {
      return new StripeStandIn(publishableKey);
    }
    if (typeof publishableKey !== "string" || publishableKey.indexOf("pk_") !== 0) {
      throw integrationError("Invalid API Key provided: Stripe() needs a publishable key (pk_…).");
    }
  }

  StripeStandIn.prototype.elements = function (options) {
    return new Elements(options || {});
  };

  StripeStandIn.prototype.confirmPayment = function (options) {
    var elements = options && options.elements;
    var returnUrl = options && options.confirmParams && options.confirmParams.return_url;
    if (!(elements instanceof Elements) || !elements.paymentElement || !elements.paymentElement.inputs) {
      return Promise.reject(integrationError("confirmPayment(): pass the `elements` a mounted Payment Element was created from."));
    }
    if (!returnUrl) {
      return Promise.reject(integrationError("confirmPayment(): confirmParams.return_url is required."));
    }
    var card = elements.paymentElement.card();
    if (card.error) {
      return Promise.resolve({ error: card.error });
    }
    var intentPath = "/v1/payment_intents/" + elements.intentId;
    return post("/v1/payment_methods", {
      type: "card",
      "card[number]": card.number,
      "card[exp_month]": card.exp_month,
      "card[exp_year]": card.exp_year,
      "card[cvc]": card.cvc,
    })
      .then(function (created) {
        if (!created.ok) {
          return created;
        }
        return post(intentPath, { payment_method: created.body.id });
      })
      .then(function (attached) {
        if (!attached.ok) {
          return attached;
        }
        return post(intentPath + "/confirm", {});
      })
      .then(function (confirmed) {
        if (!confirmed.ok) {
          var error = confirmed.body.error || {};
          return { error: { type: "card_error", code: error.code, message: error.message || "Your card was declined." } };
        }
        var intent = confirmed.body;
        if (intent.status !== "succeeded" && intent.status !== "processing") {
          return { error: { type: "invalid_request_error", message: "This stand-in cannot complete a payment in status " + intent.status + "." } };
        }
        var target = new URL(returnUrl);
        target.searchParams.set("payment_intent", elements.intentId);
        target.searchParams.set("payment_intent_client_secret", elements.clientSecret);
        target.searchParams.set("redirect_status", "succeeded");
        window.location.assign(target.toString());
        // Like Stripe.js: the page is leaving, so the promise never settles.
        return new Promise(function () {});
      });
  };

  window.Stripe = StripeStandIn;
})();
