// The split table: keep the sum and the remainder up to date as values are typed; red when short.
(function () {
  var targetCell = document.querySelector("[data-split-target]");
  if (!targetCell) return;
  var target = parseFloat(targetCell.dataset.splitTarget) || 0;
  var inputs = document.querySelectorAll("input[data-split-value]");
  var totalCell = document.querySelector("[data-split-total]");
  var remainderCell = document.querySelector("[data-split-remainder]");
  function format(n) { return (Math.round(n * 100) / 100).toString(); }
  function update() {
    var total = 0;
    inputs.forEach(function (input) { var v = parseFloat(input.value); if (!isNaN(v)) total += v; });
    var remainder = target - total;
    totalCell.textContent = format(total);
    remainderCell.textContent = format(Math.max(remainder, 0));
    var short = remainder > 1e-9;
    totalCell.classList.toggle("text-danger", short);
    remainderCell.classList.toggle("text-danger", short);
  }
  inputs.forEach(function (input) { input.addEventListener("input", update); });
  update();
})();
