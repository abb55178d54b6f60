// SPARQL editor: "Load into the editor" buttons copy an example into the textarea. The
// buttons are hidden without JavaScript (the examples can still be copied by hand).
(function () {
  "use strict";
  document.querySelectorAll("button.dg-load-example").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var area = document.getElementById(button.dataset.target);
      var code = button.closest("details").querySelector("pre code");
      if (area && code) {
        area.value = code.textContent;
        area.focus();
      }
    });
  });
})();
