// Work-point selects (data-point-picker): a search box above the grouped <select> that hides the
// points whose number and text do not match, and opens the select as a list of the matches.
// Without JavaScript the <select> with its <optgroup>s per plan works as it is.
(function () {
  document.querySelectorAll("select[data-point-picker]").forEach(function (select) {
    var search = document.createElement("input");
    search.type = "search";
    search.className = "form-control form-control-sm mb-1 point-search";
    search.placeholder = select.dataset.searchLabel || "";
    search.setAttribute("aria-label", select.dataset.searchLabel || "");
    search.setAttribute("aria-controls", select.id);
    select.parentNode.insertBefore(search, select);

    function normalise(text) {
      return text.replace(/\s+/g, "").toLowerCase();
    }

    function filter() {
      var query = normalise(search.value);
      var shown = 0;
      var groups = 0;
      select.querySelectorAll("optgroup").forEach(function (group) {
        var any = false;
        group.querySelectorAll("option").forEach(function (option) {
          var match = !query || normalise(option.textContent).indexOf(query) !== -1;
          option.hidden = !match && !option.selected;
          if (match) { any = true; shown += 1; }
        });
        group.hidden = !any;
        if (any) groups += 1;
      });
      // Matches listed open (a list box) while searching; the ordinary drop-down otherwise.
      select.size = query ? Math.max(2, Math.min(shown + groups, 8)) : 0;
      select.classList.toggle("point-matches", !!query);
      search.classList.toggle("is-invalid", !!query && shown === 0);
    }

    search.addEventListener("input", filter);
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {  // the form is not sent from the search box
        event.preventDefault();
        select.focus();
      }
    });
    select.addEventListener("change", function () {
      if (search.value) { search.value = ""; filter(); }
    });
  });
})();
