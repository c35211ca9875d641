// A dorm visit happens in the student's dorm: fill it in when that kind is chosen, unless typed over.
// (Moved out of cases/contact_form.html: the Content-Security-Policy allows scripts from files only.)
(function () {
  "use strict";
  var form = document.getElementById("contact-form");
  if (!form) return;
  var place = form.elements["location"];
  var dorm = form.dataset.dorm;
  form.addEventListener("change", function (event) {
    if (event.target.name !== "kind" || !dorm) return;
    if (event.target.value === "dorm_visit" && !place.value) place.value = dorm;
    else if (event.target.value !== "dorm_visit" && place.value === dorm) place.value = "";
  });
})();
