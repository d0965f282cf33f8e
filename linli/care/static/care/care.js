// The visit form takes the phone's location when the visitor allows it (nothing is sent otherwise).
(function () {
  var lon = document.getElementById("id_lon"), lat = document.getElementById("id_lat");
  if (!lon || !lat || !navigator.geolocation) { return; }
  navigator.geolocation.getCurrentPosition(function (pos) {
    lon.value = pos.coords.longitude.toFixed(6);
    lat.value = pos.coords.latitude.toFixed(6);
    var note = document.querySelector("[data-care-location]");
    if (note) { note.textContent = note.textContent + " ✓"; }
  }, function () {}, { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 });
})();
