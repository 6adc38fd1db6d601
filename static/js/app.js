// Site-wide behaviour: forms marked data-autosubmit submit when a select changes (the year selector).
document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
  select.addEventListener("change", function () { select.form.submit(); });
});
