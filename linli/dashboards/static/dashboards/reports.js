// The "make a report" form posts to the chosen place's URL.
(function () {
  var form = document.getElementById("make-report");
  var place = document.getElementById("report-place");
  if (!form || !place) { return; }
  function update() { form.action = place.getAttribute("data-action-template").replace("/0/", "/" + place.value + "/"); }
  place.addEventListener("change", update);
  update();
})();
