/* Case page: a Leaflet map with the case's point (tiles only when the operator configured them). */
(function () {
  "use strict";
  var el = document.getElementById("case-map");
  if (!el || typeof L === "undefined") { return; }
  var lat = parseFloat(el.getAttribute("data-lat"));
  var lon = parseFloat(el.getAttribute("data-lon"));
  if (isNaN(lat) || isNaN(lon)) { return; }
  var map = L.map(el).setView([lat, lon], 17);
  var tiles = el.getAttribute("data-tiles");
  if (tiles) { L.tileLayer(tiles, { maxZoom: 19 }).addTo(map); }
  L.circleMarker([lat, lon], { radius: 10, color: "#b02a37", fillOpacity: 0.7 }).addTo(map);
})();

/* Photo pickers of the action forms: show the chosen photos before sending. */
(function () {
  "use strict";
  document.querySelectorAll("input[type=file][data-photo-input]").forEach(function (input) {
    var preview = input.parentNode.querySelector("[data-photo-preview]");
    if (!preview) { return; }
    input.addEventListener("change", function () {
      preview.textContent = "";
      Array.prototype.slice.call(input.files, 0, 9).forEach(function (file) {
        var img = document.createElement("img");
        img.src = URL.createObjectURL(file);
        img.alt = file.name;
        preview.appendChild(img);
      });
    });
  });
})();
