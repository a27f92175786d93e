// Show only the fields of the chosen kind of post (all of them show without JavaScript).
(function () {
  "use strict";
  var form = document.querySelector(".post-form");
  if (!form) { return; }
  var select = form.querySelector("select[name=kind]");
  var hidden = form.querySelector("input[type=hidden][name=kind]");
  function update() {
    var kind = select ? select.value : (hidden ? hidden.value : "");
    form.querySelectorAll(".kind-fields").forEach(function (fieldset) {
      fieldset.hidden = fieldset.getAttribute("data-kind") !== kind;
    });
  }
  if (select) { select.addEventListener("change", update); }
  update();
})();
