/* Linli shell behaviour. Loaded as a file: the Content-Security-Policy forbids inline scripts and handlers.
 *
 * - [data-linli-large]: toggles the large-text, high-contrast mode (适老化); remembered in a cookie so the
 *   server renders the next page in the same mode without a flash.
 * - form[data-confirm]: asks before submitting (revoke a token, unlock an account, turn off two-factor).
 * - [data-copy]: copies the text of the element it names (the TOTP key).
 * - [data-print]: prints the page (a notice, a QR sheet).
 */
(function () {
  "use strict";

  var LARGE_COOKIE = "linli_large";

  function setLarge(on) {
    document.documentElement.classList.toggle("linli-large", on);
    document.cookie = LARGE_COOKIE + "=" + (on ? "1" : "0") + "; path=/; max-age=31536000; SameSite=Lax";
    document.querySelectorAll("[data-linli-large]").forEach(function (el) {
      el.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-linli-large]");
    if (toggle) {
      event.preventDefault();
      setLarge(!document.documentElement.classList.contains("linli-large"));
      return;
    }
    if (event.target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
      return;
    }
    var copy = event.target.closest("[data-copy]");
    if (copy) {
      var source = document.getElementById(copy.getAttribute("data-copy"));
      if (source && navigator.clipboard) {
        navigator.clipboard.writeText(source.textContent.replace(/\s+/g, "")).then(function () {
          var done = copy.getAttribute("data-copied");
          if (done) { copy.textContent = done; }
        });
      }
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
})();
