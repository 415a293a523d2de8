/* Term tooltips inside the main landmark.
 *
 * Material for MkDocs (content.tooltips) appends each tooltip to <body>, outside every landmark,
 * so a screen reader's landmark navigation cannot reach it and axe-core's "region" rule fails
 * while a tooltip is open. This moves each one into <main> as soon as Material adds it. <main>
 * and its ancestors are not positioned, so the tooltip's absolute position is unchanged; Material
 * keeps its own reference to the element and removes it from wherever it is.
 * Loaded as a same-origin file (overrides/main.html), so the Content-Security-Policy allows it.
 */
(function () {
  "use strict";
  var main = document.querySelector("main");
  if (!main || !window.MutationObserver) return;
  new MutationObserver(function (records) {
    records.forEach(function (record) {
      record.addedNodes.forEach(function (node) {
        if (node.nodeType === 1 && node.parentNode === document.body && node.classList.contains("md-tooltip2")) {
          main.appendChild(node);
        }
      });
    });
  }).observe(document.body, { childList: true });
})();
