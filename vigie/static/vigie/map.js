// The neighbourhood's boundary on a Leaflet map. Tiles come only from the configured
// tile server; with none, the boundary shows on a plain background.
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
})();
