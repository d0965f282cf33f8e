/* Every map: the attribution names only the data source (no "Leaflet" prefix with its flag). Loaded
   right after leaflet.js by core/partials/leaflet.html, the one way a page includes Leaflet. */
(function () {
  "use strict";
  if (window.L && L.Control && L.Control.Attribution) {
    L.Control.Attribution.prototype.options.prefix = false;
  }
})();
