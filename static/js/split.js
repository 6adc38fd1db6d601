// The split table: keep the sum and the remainder up to date as values are typed; red when short,
// and "超出 100" in red when the shares add up to more than the target.
(function () {
  var targetCell = document.querySelector("[data-split-target]");
  if (!targetCell) return;
  var target = parseFloat(targetCell.dataset.splitTarget) || 0;
  var inputs = document.querySelectorAll("input[data-split-value]");
  var totalCell = document.querySelector("[data-split-total]");
  var remainderCell = document.querySelector("[data-split-remainder]");
  var remainderLabel = document.querySelector("[data-split-remainder-label]");
  // As the page writes figures (fedwork.numbers.grouped): 1,200 and 37.34.
  function format(n) { return (Math.round(n * 100) / 100).toLocaleString("en-US", { maximumFractionDigits: 2 }); }
  function update() {
    var total = 0;
    inputs.forEach(function (input) { var v = parseFloat(input.value); if (!isNaN(v)) total += v; });
    var remainder = target - total;
    var short = remainder > 1e-9;
    var over = remainder < -1e-9;
    totalCell.textContent = format(total);
    remainderCell.textContent = over ? remainderCell.dataset.overPrefix + " " + format(-remainder) : format(Math.max(remainder, 0));
    if (remainderLabel) remainderLabel.textContent = over ? remainderLabel.dataset.over : remainderLabel.dataset.short;
    totalCell.classList.toggle("text-danger", short || over);
    remainderCell.classList.toggle("text-danger", short || over);
    remainderCell.classList.toggle("fw-semibold", short || over);
  }
  inputs.forEach(function (input) { input.addEventListener("input", update); });
  update();
})();
