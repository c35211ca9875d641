// <select data-autosubmit> submits its form when changed (instead of an inline onchange="…", which the
// Content-Security-Policy forbids).
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.matches && target.matches("[data-autosubmit]") && target.form) target.form.submit();
  });
})();
