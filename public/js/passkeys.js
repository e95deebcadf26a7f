// Passkeys: the glue between our forms and @simplewebauthn/browser (loaded before this file as the
// global SimpleWebAuthnBrowser). The server does every check; this script only asks the browser to
// create or use a credential and posts the result in the form's hidden "response" field, so the
// answer is an ordinary form post (CSRF token, redirect, flash message) like every other form.
(function () {
  "use strict";

  var lib = window.SimpleWebAuthnBrowser;
  if (!lib || !lib.browserSupportsWebAuthn()) return;

  function showStatus(form, message) {
    var status = form.querySelector("[data-passkey-status]");
    if (!status) return;
    status.textContent = message;
    status.hidden = !message;
  }

  // Fetches options with the form's CSRF token. A response that is not JSON means the server sent
  // the browser somewhere else (signed out, or a re-authentication step): go there.
  function fetchOptions(form) {
    var body = new URLSearchParams({ _csrf: form.querySelector("input[name=_csrf]").value });
    return fetch(form.getAttribute("data-options-url"), { method: "POST", body: body, credentials: "same-origin" }).then(function (res) {
      var type = res.headers.get("content-type") || "";
      if (res.ok && type.indexOf("application/json") === 0) return res.json().then(function (data) { return data.options; });
      if (res.redirected || type.indexOf("text/html") === 0) { window.location.assign(res.url); return new Promise(function () {}); }
      throw new Error("options");
    });
  }

  function explain(err) {
    if (err && err.name === "NotAllowedError") return "The passkey request was cancelled or timed out.";
    if (err && err.name === "InvalidStateError") return "This passkey is already registered with your account.";
    return "Your browser could not use a passkey. Please try again.";
  }

  function submitWith(form, credential) {
    form.querySelector("input[name=response]").value = JSON.stringify(credential);
    form.submit();
  }

  // Settings: adding a passkey.
  document.querySelectorAll("form[data-passkey-register]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      showStatus(form, "");
      var name = form.querySelector("input[name=name]");
      if (name && !name.value.trim()) { form.submit(); return; } // the server explains the empty name
      fetchOptions(form)
        .then(function (options) { return lib.startRegistration({ optionsJSON: options }); })
        .then(function (credential) { submitWith(form, credential); })
        .catch(function (err) { showStatus(form, explain(err)); });
    });
  });

  // The second step of a sign-in: "Use a passkey" instead of a code (the server lists only the
  // held account's passkeys in the options).
  document.querySelectorAll("form[data-passkey-second-step]").forEach(function (form) {
    form.hidden = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      showStatus(form, "");
      fetchOptions(form)
        .then(function (options) { return lib.startAuthentication({ optionsJSON: options }); })
        .then(function (credential) { submitWith(form, credential); })
        .catch(function (err) { showStatus(form, explain(err)); });
    });
  });

  // Sign-in: the passkey button, and the browser's autofill offering passkeys in the username field.
  document.querySelectorAll("form[data-passkey-sign-in]").forEach(function (form) {
    form.hidden = false;
    var remember = document.getElementById("field-remember");
    function signIn(useAutofill) {
      return fetchOptions(form)
        .then(function (options) { return lib.startAuthentication({ optionsJSON: options, useBrowserAutofill: useAutofill }); })
        .then(function (credential) {
          form.querySelector("input[name=remember]").disabled = !(remember && remember.checked);
          submitWith(form, credential);
        });
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      showStatus(form, "");
      signIn(false).catch(function (err) { showStatus(form, explain(err)); });
    });
    // The autofill request starts when the person first touches the username field, not on page
    // load: asking for options stores a challenge in a session, and a mere page view must not
    // create one. An autofill request that ends without a choice (the button was used) is no error.
    var login = document.querySelector("input[autocomplete~=webauthn]");
    lib.browserSupportsWebAuthnAutofill().then(function (supported) {
      if (!supported || !login) return;
      var started = false;
      function start() {
        if (started) return;
        started = true;
        signIn(true).catch(function () {});
      }
      ["pointerdown", "keydown", "input"].forEach(function (type) { login.addEventListener(type, start); });
    });
  });
})();
