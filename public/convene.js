// Progressive enhancement only: every page works without this file.
(function () {
  'use strict';
  // After a failed submit, move focus to the error summary so it is read first.
  var summary = document.getElementById('error-summary');
  if (summary) summary.focus();
  // Stop a second click from submitting a form twice (the server also dedupes).
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.dataset.submitted === 'true') {
      event.preventDefault();
      return;
    }
    form.dataset.submitted = 'true';
    window.setTimeout(function () { form.dataset.submitted = 'false'; }, 5000);
  });
})();
