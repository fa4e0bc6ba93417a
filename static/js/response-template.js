// Picking a response template fills the public message, which stays editable before sending.
// Without JavaScript the "Use template" button asks the server to fill it instead.
(function () {
  "use strict";
  document.querySelectorAll("select[data-fills]").forEach(function (select) {
    var target = document.getElementById(select.dataset.fills);
    if (!target) return;
    var button = select.form && select.form.querySelector("[data-template-button]");
    if (button) button.hidden = true;
    select.addEventListener("change", function () {
      var option = select.options[select.selectedIndex];
      if (option && option.dataset.body) {
        target.value = option.dataset.body;
        target.focus();
      }
    });
  });
})();
