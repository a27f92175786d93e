// The neighbourhood's boundary on a Leaflet map. Tiles come only from the configured
// tile server; with none, the boundary shows on a plain background.
// With data-pick, a click sets the form's longitude and latitude (the server rounds
// them to about 50 m); with data-point, a marker shows an alert's rounded point.
(function () {
  "use strict";
  var element = document.getElementById("map");
  if (!element || typeof L === "undefined") { return; }
  var boundary;
  try { boundary = JSON.parse(element.getAttribute("data-boundary")); } catch (error) { return; }
  var map = L.map(element, { scrollWheelZoom: false, attributionControl: true });
  var tiles = element.getAttribute("data-tiles");
  if (tiles) {
    L.tileLayer(tiles, { maxZoom: 19, attribution: element.getAttribute("data-attribution") || "" }).addTo(map);
  }
  var layer = L.geoJSON(boundary, { style: { color: "#1f4e8c", weight: 3, fillOpacity: 0.12 } }).addTo(map);
  map.fitBounds(layer.getBounds(), { padding: [12, 12] });

  var point = element.getAttribute("data-point");
  if (point) {
    var coordinates = point.split(",").map(Number);
    L.circle([coordinates[1], coordinates[0]], { radius: 50, color: "#b3261e" }).addTo(map);
  }
  if (element.hasAttribute("data-pick")) {
    var longitude = document.querySelector("input[name=longitude]");
    var latitude = document.querySelector("input[name=latitude]");
    var marker = null;
    map.on("click", function (event) {
      if (!longitude || !latitude) { return; }
      longitude.value = event.latlng.lng.toFixed(6);
      latitude.value = event.latlng.lat.toFixed(6);
      if (marker) { marker.setLatLng(event.latlng); } else { marker = L.circle(event.latlng, { radius: 50 }).addTo(map); }
    });
  }
})();
