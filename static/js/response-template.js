// Picking a response template fills the public message (a ticket's, in its citizen's language;
// an incident's, in both), which stays editable before sending. Without JavaScript the "Use
// template" button asks the server to fill it instead.
(function () {
  "use strict";
  document.querySelectorAll("select[data-fills-ar]").forEach(function (select) {
    var arabic = document.getElementById(select.dataset.fillsAr);
    var english = document.getElementById(select.dataset.fillsEn);
    if (!arabic || !english) return;
    var button = select.form && select.form.querySelector("[data-template-button]");
    if (button) button.hidden = true;
    select.addEventListener("change", function () {
      var option = select.options[select.selectedIndex];
      if (option && option.dataset.bodyAr !== undefined) {
        arabic.value = option.dataset.bodyAr;
        english.value = option.dataset.bodyEn;
        arabic.focus();
      }
    });
  });
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
