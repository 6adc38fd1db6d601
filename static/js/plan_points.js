// A plan's work points fold (<details>): buttons to open or close them all, and the point a link
// points to (#point-12) opened with the points above it. Without JavaScript every point still folds.
(function () {
  var toggle = document.querySelector("[data-points-toggle]");
  var points = document.querySelectorAll(".point-details");
  if (toggle && points.length) {
    toggle.hidden = false;
    toggle.querySelector("[data-open-all]").addEventListener("click", function () {
      points.forEach(function (details) { details.open = true; });
    });
    toggle.querySelector("[data-close-all]").addEventListener("click", function () {
      points.forEach(function (details) { details.open = false; });
    });
  }
  function openTarget() {
    var target = location.hash ? document.getElementById(location.hash.slice(1)) : null;
    for (var node = target; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") node.open = true;
    }
    if (target) target.scrollIntoView();
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();
})();
