/* Resident report page: filter the category list as one types, fill the location from the phone,
   limit the photo count, print the board. No inline scripts (CSP). */
(function () {
  "use strict";
  var search = document.querySelector("[data-cat-filter]");
  if (search) {
    search.addEventListener("input", function () {
      var q = search.value.trim().toLowerCase();
      document.querySelectorAll("[data-cat-item]").forEach(function (li) {
        var words = (li.getAttribute("data-words") || "").toLowerCase();
        li.hidden = q !== "" && words.indexOf(q) === -1;
      });
      document.querySelectorAll("[data-cat-group]").forEach(function (g) {
        g.hidden = g.querySelectorAll("[data-cat-item]:not([hidden])").length === 0;
      });
    });
  }
  // Where the location lies: the grid's name, or (outside every grid) the picker of the community or
  // building, shown before sending so that the text and the photos stay on the page.
  var where = document.querySelector("[data-where]");
  function whereIs(lon, lat) {
    if (!where || !window.fetch) { return; }
    var url = where.getAttribute("data-where") + "?lon=" + encodeURIComponent(lon) + "&lat=" + encodeURIComponent(lat);
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } }).then(function (r) {
      return r.ok ? r.text() : "";
    }).then(function (html) {
      if (html) { where.innerHTML = html; }
    }).catch(function () {});
  }
  var locate = document.querySelector("[data-locate]");
  var status = document.querySelector("[data-locate-status]");
  if (locate && navigator.geolocation) {
    locate.addEventListener("click", function () {
      if (status) { status.textContent = locate.getAttribute("data-wait") || "…"; }
      navigator.geolocation.getCurrentPosition(function (pos) {
        document.getElementById("id_lon").value = pos.coords.longitude.toFixed(6);
        document.getElementById("id_lat").value = pos.coords.latitude.toFixed(6);
        if (status) { status.textContent = "✓ " + pos.coords.latitude.toFixed(5) + ", " + pos.coords.longitude.toFixed(5); }
        whereIs(pos.coords.longitude.toFixed(6), pos.coords.latitude.toFixed(6));
      }, function () {
        if (status) { status.textContent = "✗"; }
      }, { enableHighAccuracy: true, timeout: 15000 });
    });
  } else if (locate) {
    locate.hidden = true;
  }
  var photos = document.querySelector("input[type=file][data-max-files]");
  if (photos) {
    photos.addEventListener("change", function () {
      var max = parseInt(photos.getAttribute("data-max-files"), 10);
      photos.setCustomValidity(photos.files.length > max ? ("≤ " + max) : "");
      photos.reportValidity();
      var preview = document.querySelector("[data-photo-preview]");
      if (preview) {
        preview.textContent = "";
        Array.prototype.slice.call(photos.files, 0, max).forEach(function (file) {
          var img = document.createElement("img");
          img.src = URL.createObjectURL(file);
          img.alt = file.name;
          preview.appendChild(img);
        });
      }
    });
  }
})();
