// The import review page: unticking a point greys out its branch (the points listed after it at a
// greater depth), which the server drops with it anyway; ticking it again restores the branch.
(function () {
  var form = document.getElementById("import-review");
  if (!form) return;
  var items = Array.prototype.slice.call(form.querySelectorAll("li.import-point"));
  function refresh() {
    var droppedDepth = null;
    items.forEach(function (item) {
      var depth = parseInt(item.dataset.depth, 10);
      if (droppedDepth !== null && depth <= droppedDepth) droppedDepth = null;
      var inDroppedBranch = droppedDepth !== null;
      var box = item.querySelector("input[name=keep]");
      if (!inDroppedBranch && !box.checked) droppedDepth = depth;
      item.classList.toggle("opacity-50", inDroppedBranch || !box.checked);
    });
  }
  form.addEventListener("change", refresh);
  refresh();
})();
