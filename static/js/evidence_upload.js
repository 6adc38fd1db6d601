// Evidence upload (佐证材料): sends the chosen files with XMLHttpRequest to show a progress bar, then
// reloads the activity page to show them. Without this script the form posts as a plain form. Its
// messages come translated from the form's data attributes.
(function () {
  "use strict";
  var form = document.querySelector("form[data-evidence-upload]");
  if (!form || !window.FormData || !window.XMLHttpRequest) {
    return;
  }
  var progress = form.querySelector("[data-evidence-progress]");
  var bar = progress.querySelector(".progress-bar");
  var errors = form.querySelector("[data-evidence-errors]");
  var chosen = form.querySelector("[data-evidence-chosen]");
  var button = form.querySelector("button[type=submit]");

  function countFiles() {
    var count = 0;
    form.querySelectorAll("input[type=file]").forEach(function (input) {
      count += input.files ? input.files.length : 0;
    });
    return count;
  }

  function show(percent) {
    progress.classList.remove("d-none");
    progress.setAttribute("aria-valuenow", String(percent));
    bar.style.width = percent + "%";
    bar.textContent = percent + "%";
  }

  function fail(messages) {
    errors.textContent = "";
    messages.forEach(function (message) {
      var line = document.createElement("div");
      line.textContent = message;
      errors.appendChild(line);
    });
    progress.classList.add("d-none");
    button.disabled = false;
  }

  form.addEventListener("change", function () {
    var count = countFiles();
    chosen.textContent = count ? form.dataset.chosen.replace("%(count)s", count) : "";
  });

  form.addEventListener("submit", function (event) {
    if (countFiles() === 0) {
      return; // the server answers with its message
    }
    event.preventDefault();
    errors.textContent = "";
    button.disabled = true;
    show(0);
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    request.upload.addEventListener("progress", function (progressEvent) {
      if (progressEvent.lengthComputable) {
        show(Math.round((progressEvent.loaded / progressEvent.total) * 100));
      }
    });
    request.addEventListener("load", function () {
      var answer = null;
      try {
        answer = JSON.parse(request.responseText);
      } catch (error) {
        answer = null;
      }
      if (answer && answer.ok) {
        show(100);
        window.location.assign(answer.next);
      } else if (answer && answer.errors) {
        fail(answer.errors);
      } else {
        fail([form.dataset.failed.replace("%(status)s", request.status)]);
      }
    });
    request.addEventListener("error", function () {
      fail([form.dataset.offline]);
    });
    request.send(new FormData(form));
  });
})();
