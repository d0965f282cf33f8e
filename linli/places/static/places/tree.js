/* Place pages: expanding and collapsing the tree (children come from the server once, by HTMX), and
 * the "add below" form, which shows only the fields of the chosen kind. */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-place-toggle]");
    if (!toggle) { return; }
    var item = toggle.closest("[role=treeitem]");
    var group = item && item.querySelector(":scope > .place-children");
    if (!group) { return; }
    var open = item.getAttribute("aria-expanded") !== "true";
    item.setAttribute("aria-expanded", open ? "true" : "false");
    group.hidden = !open;
  });

  function syncKindFields(form) {
    var select = form.querySelector("[data-kind-select]");
    if (!select) { return; }
    form.querySelectorAll("[data-kinds]").forEach(function (input) {
      var kinds = input.getAttribute("data-kinds").split(" ");
      var wrapper = input.closest(".mb-3") || input;
      var show = kinds.indexOf(select.value) !== -1;
      wrapper.hidden = !show;
      input.disabled = !show;
    });
  }

  document.querySelectorAll("form[data-kind-form]").forEach(function (form) {
    syncKindFields(form);
    form.addEventListener("change", function (event) {
      if (event.target.matches("[data-kind-select]")) { syncKindFields(form); }
    });
  });
})();
