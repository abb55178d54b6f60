// Partner network picture: pointing at or focusing an organisation highlights its funding
// links and dims the rest. The page is complete without this file (tables give the same
// relations as text); it is loaded with `defer` and no inline script (the page's CSP).
(function () {
  "use strict";
  function setFocus(svg, iri) {
    svg.querySelectorAll(".dg-link").forEach(function (link) {
      var touches = iri && (link.dataset.source === iri || link.dataset.target === iri);
      link.classList.toggle("dg-dim", Boolean(iri) && !touches);
      link.classList.toggle("dg-hot", Boolean(touches));
    });
  }
  document.querySelectorAll("svg.dg-picture").forEach(function (svg) {
    svg.querySelectorAll(".dg-node").forEach(function (node) {
      var iri = node.dataset.iri;
      ["mouseenter", "focusin"].forEach(function (ev) {
        node.addEventListener(ev, function () { setFocus(svg, iri); });
      });
      ["mouseleave", "focusout"].forEach(function (ev) {
        node.addEventListener(ev, function () { setFocus(svg, null); });
      });
    });
  });
})();
