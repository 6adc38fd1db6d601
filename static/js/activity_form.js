// The activity form: show first the figures the chosen work point's targets use; the rest on demand.
(function () {
  var data = document.getElementById("point-indicators");
  var select = document.getElementById("id_work_point");
  var list = document.getElementById("figures");
  if (!data || !select || !list) return;
  var byPoint = JSON.parse(data.textContent);
  var showAll = list.querySelector("[data-show-all]");
  function update() {
    var codes = byPoint[select.value] || [];
    var anyHidden = false;
    list.querySelectorAll(".figure-field").forEach(function (box) {
      var input = box.querySelector("input");
      var wanted = codes.indexOf(input.dataset.indicator) !== -1 || input.value !== "" ||
        box.querySelector(".invalid-feedback") !== null;
      box.classList.toggle("other-figure", !wanted);
      if (!wanted) anyHidden = true;
      if (wanted && codes.indexOf(input.dataset.indicator) !== -1) list.querySelector(".row").prepend(box);
    });
    showAll.hidden = !anyHidden || list.classList.contains("show-all");
  }
  showAll.addEventListener("click", function () { list.classList.add("show-all"); showAll.hidden = true; });
  select.addEventListener("change", update);
  update();
})();
