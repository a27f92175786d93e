// Address picker: suggestions appear as the person types (progressive enhancement;
// without JavaScript the "Search" button does the same through the server).
(function () {
  "use strict";
  document.querySelectorAll(".address-picker").forEach(function (picker) {
    var input = picker.querySelector("[data-address-search]");
    var target = picker.querySelector("#address-suggestions");
    var url = picker.getAttribute("data-suggestions-url");
    if (!input || !target || !url) { return; }
    var timer = null;
    var latest = 0;
    function refresh() {
      var query = input.value.trim();
      var checked = target.querySelector("input[name=ban_id]:checked");
      var request = ++latest;
      var address = url + "?q=" + encodeURIComponent(query) +
        "&selected=" + encodeURIComponent(checked ? checked.value : "");
      fetch(address, { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) { if (request === latest) { target.innerHTML = html; } })
        .catch(function () { /* the Search button still works */ });
    }
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 300);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); window.clearTimeout(timer); refresh(); }
    });
  });
})();
