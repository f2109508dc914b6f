// Stripe.js v3 as the browser tests need it: a stand-in served by Playwright in place of
// `<strict peer>/js.stripe.com/v3/` (tests/stripe_peer.py, today's Stripe in front of
// localstripe), for tests only.
//
// localstripe's own fake Stripe.js has no Payment Element and no `confirmPayment`, and its
// card form always opens a fake 3-D Secure dialog. The shop's payment page
// (static/js/payment.js) is written for real Stripe.js and must run unchanged, so this file
// gives it the part of Stripe.js it uses, with real Stripe.js's rules for how it is called:
//
//   Stripe(publishableKey, options)               a key starting "pk_"
//   stripe.elements({ clientSecret })             a PaymentIntent's client secret
//   elements.create("payment").mount(selector)    plain inputs, no iframe
//   stripe.confirmPayment({ elements, confirmParams: { return_url } })
//
// Like Stripe's, the Payment Element first retrieves the PaymentIntent
// (GET /v1/payment_intents/<id>?client_secret=...) and offers what its
// `payment_method_types` allow of what this stand-in can pay with: a card (number, expiry,
// CVC) and iDEAL (a bank to choose). With more than one, the customer picks with labelled
// radio buttons; card comes first.
//
// confirmPayment talks to the API the way Stripe.js talks to Stripe's:
// - card: create a PaymentMethod, confirm the intent with it; on success the page goes to
//   return_url with the parameters Stripe adds; a decline resolves to `{ error }`.
// - iDEAL: confirm the intent with `payment_method_data[type]=ideal` and `return_url`, and
//   follow `next_action.redirect_to_url.url` to the bank (the peer's test bank page), which
//   sends the customer back to return_url.
// Card data go from this page to "Stripe" only. Like Stripe.js, every call carries the
// publishable key (`key=pk_…`), and calls about the intent its client secret; the peer takes
// no other authority from a browser.
(function () {
  "use strict";

  var API = new URL(document.currentScript.src).origin;
  var publishable = null; // set by Stripe(publishableKey), as Stripe.js keeps it

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

  function answered(response) {
    return response.json().then(function (body) {
      return { ok: response.ok, body: body };
    });
  }

  function withKey(params) {
    return new URLSearchParams(Object.assign({ key: publishable }, params)).toString();
  }

  function get(path, params) {
    return fetch(API + path + "?" + withKey(params)).then(answered);
  }

  function post(path, params) {
    return fetch(API + path, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: withKey(params),
    }).then(answered);
  }

  function element(tag, properties) {
    var node = document.createElement(tag);
    Object.keys(properties || {}).forEach(function (name) {
      node[name] = properties[name];
    });
    return node;
  }

  function labelled(id, text, control) {
    var row = element("p", { className: "stand-in-field" });
    row.appendChild(element("label", { htmlFor: id, textContent: text }));
    row.appendChild(element("br"));
    row.appendChild(control);
    return row;
  }

  // --- what the Payment Element can pay with --------------------------------------------

  var CARD_FIELDS = [
    { name: "number", label: "Card number", autocomplete: "cc-number", placeholder: "1234 1234 1234 1234" },
    { name: "expiry", label: "Expiration date", autocomplete: "cc-exp", placeholder: "MM / YY" },
    { name: "cvc", label: "Security code", autocomplete: "cc-csc", placeholder: "CVC" },
  ];

  // The banks of Stripe's iDEAL bank list (PaymentIntentConfirmParams: ideal.bank).
  var IDEAL_BANKS = [
    ["abn_amro", "ABN AMRO"], ["asn_bank", "ASN Bank"], ["bunq", "bunq"], ["ing", "ING"],
    ["knab", "Knab"], ["rabobank", "Rabobank"], ["regiobank", "RegioBank"],
    ["revolut", "Revolut"], ["sns_bank", "SNS Bank"], ["triodos_bank", "Triodos Bank"],
    ["van_lanschot", "Van Lanschot"],
  ];

  var METHODS = {
    card: {
      label: "Card",
      build: function (section) {
        var inputs = {};
        CARD_FIELDS.forEach(function (field) {
          var input = element("input", {
            id: "stand-in-" + field.name,
            name: "stand-in-" + field.name,
            inputMode: "numeric",
            autocomplete: field.autocomplete,
            placeholder: field.placeholder,
          });
          section.appendChild(labelled(input.id, field.label, input));
          inputs[field.name] = input;
        });
        return inputs;
      },
      read: function (inputs) {
        var number = inputs.number.value.replace(/\s+/g, "");
        var expiry = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(inputs.expiry.value);
        var cvc = inputs.cvc.value.trim();
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
      },
    },
    ideal: {
      label: "iDEAL",
      build: function (section) {
        var select = element("select", { id: "stand-in-ideal-bank", name: "stand-in-ideal-bank" });
        select.appendChild(element("option", { value: "", textContent: "Select your bank" }));
        IDEAL_BANKS.forEach(function (bank) {
          select.appendChild(element("option", { value: bank[0], textContent: bank[1] }));
        });
        section.appendChild(labelled(select.id, "iDEAL bank", select));
        return { bank: select };
      },
      read: function (inputs) {
        if (!inputs.bank.value) {
          return { error: { type: "validation_error", code: "incomplete_ideal_bank", message: "Select your bank." } };
        }
        return { bank: inputs.bank.value };
      },
    },
  };

  // --- the Payment Element --------------------------------------------------------------

  function PaymentElement(elements) {
    this.elements = elements;
    this.sections = null; // method → { section, inputs }, once the intent is known
    this.chosen = null;
  }

  PaymentElement.prototype.mount = function (target) {
    var container = typeof target === "string" ? document.querySelector(target) : target;
    if (!container) {
      throw integrationError("The selector you specified (" + target + ") applies to no DOM elements that are currently on the page.");
    }
    var self = this;
    var wrapper = element("div", { className: "stand-in-payment-element" });
    container.appendChild(wrapper);
    this.ready = get("/v1/payment_intents/" + this.elements.intentId, {
      client_secret: this.elements.clientSecret,
    }).then(function (retrieved) {
      if (!retrieved.ok) {
        var message = (retrieved.body.error || {}).message || "unknown error";
        wrapper.appendChild(element("p", { className: "form-error", textContent: "The payment form could not load: " + message }));
        return;
      }
      var offered = Object.keys(METHODS).filter(function (method) {
        return retrieved.body.payment_method_types.indexOf(method) !== -1;
      });
      self.render(wrapper, offered);
    });
    return this;
  };

  PaymentElement.prototype.render = function (wrapper, offered) {
    var self = this;
    this.sections = {};
    var choice = null;
    if (offered.length > 1) {
      choice = element("fieldset", { className: "stand-in-methods" });
      choice.appendChild(element("legend", { textContent: "Payment method" }));
      wrapper.appendChild(choice);
    }
    offered.forEach(function (method, index) {
      var section = element("div", { className: "stand-in-method stand-in-" + method });
      var inputs = METHODS[method].build(section);
      self.sections[method] = { section: section, inputs: inputs };
      if (choice) {
        var radio = element("input", {
          type: "radio",
          name: "stand-in-method",
          id: "stand-in-method-" + method,
          value: method,
          checked: index === 0,
        });
        radio.addEventListener("change", function () {
          self.choose(method);
        });
        var label = element("label", { htmlFor: radio.id, textContent: " " + METHODS[method].label });
        label.style.marginRight = "1.5em";
        label.insertBefore(radio, label.firstChild);
        choice.appendChild(label);
      }
      wrapper.appendChild(section);
    });
    if (offered.length) {
      this.choose(offered[0]);
    } else {
      wrapper.appendChild(element("p", { className: "form-error", textContent: "No payment method this form can show is allowed for this payment." }));
    }
  };

  PaymentElement.prototype.choose = function (method) {
    this.chosen = method;
    var sections = this.sections;
    Object.keys(sections).forEach(function (name) {
      sections[name].section.hidden = name !== method;
    });
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
    this.paymentElement = new PaymentElement(this);
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
    publishable = publishableKey;
  }

  StripeStandIn.prototype.elements = function (options) {
    return new Elements(options || {});
  };

  function leaveFor(url) {
    window.location.assign(url);
    // Like Stripe.js: the page is leaving, so the promise never settles.
    return new Promise(function () {});
  }

  function apiError(answer, type) {
    var error = answer.body.error || {};
    return { error: { type: error.type || type, code: error.code, message: error.message || "The payment did not go through." } };
  }

  function confirmCard(elements, card, returnUrl) {
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
        return post(intentPath + "/confirm", {
          payment_method: created.body.id,
          client_secret: elements.clientSecret,
        });
      })
      .then(function (confirmed) {
        if (!confirmed.ok) {
          return apiError(confirmed, "card_error");
        }
        var intent = confirmed.body;
        if (intent.status !== "succeeded" && intent.status !== "processing") {
          return { error: { type: "invalid_request_error", message: "This stand-in cannot complete a card payment in status " + intent.status + "." } };
        }
        var target = new URL(returnUrl);
        target.searchParams.set("payment_intent", elements.intentId);
        target.searchParams.set("payment_intent_client_secret", elements.clientSecret);
        target.searchParams.set("redirect_status", "succeeded");
        return leaveFor(target.toString());
      });
  }

  function confirmIdeal(elements, ideal, returnUrl) {
    return post("/v1/payment_intents/" + elements.intentId + "/confirm", {
      "payment_method_data[type]": "ideal",
      "payment_method_data[ideal][bank]": ideal.bank,
      return_url: returnUrl,
      client_secret: elements.clientSecret,
    }).then(function (confirmed) {
      if (!confirmed.ok) {
        return apiError(confirmed, "invalid_request_error");
      }
      var action = confirmed.body.next_action;
      if (confirmed.body.status !== "requires_action" || !action || action.type !== "redirect_to_url") {
        return { error: { type: "invalid_request_error", message: "iDEAL: Stripe answered " + confirmed.body.status + " without a redirect to the bank." } };
      }
      return leaveFor(action.redirect_to_url.url);
    });
  }

  StripeStandIn.prototype.confirmPayment = function (options) {
    var elements = options && options.elements;
    var returnUrl = options && options.confirmParams && options.confirmParams.return_url;
    if (!(elements instanceof Elements) || !elements.paymentElement || !elements.paymentElement.ready) {
      return Promise.reject(integrationError("confirmPayment(): pass the `elements` a mounted Payment Element was created from."));
    }
    if (!returnUrl) {
      return Promise.reject(integrationError("confirmPayment(): confirmParams.return_url is required."));
    }
    var paymentElement = elements.paymentElement;
    return paymentElement.ready.then(function () {
      var method = paymentElement.chosen;
      if (!method) {
        return { error: { type: "validation_error", message: "The payment form is not ready." } };
      }
      var details = METHODS[method].read(paymentElement.sections[method].inputs);
      if (details.error) {
        return details;
      }
      return method === "card" ? confirmCard(elements, details, returnUrl) : confirmIdeal(elements, details, returnUrl);
    });
  };

  window.Stripe = StripeStandIn;
})();
