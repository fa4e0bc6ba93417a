// The SMS simulator: show the newest message, and let example chips fill the composer.
(function () {
  "use strict";
  var thread = document.getElementById("thread");
  if (thread && thread.lastElementChild) thread.scrollTop = thread.scrollHeight;
  var body = document.getElementById("body");
  document.querySelectorAll("button.example").forEach(function (button) {
    button.addEventListener("click", function () { body.value = button.dataset.text; body.focus(); });
  });
})();
