/* mod_stepup confirm pages. The password form works without this script;
 * it only keeps a form from being sent twice. */
(function () {
  'use strict';
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (form.dataset.sent) {
      event.preventDefault();
      return;
    }
    form.dataset.sent = '1';
    var button = form.querySelector('button[type=submit]');
    if (button) {
      button.disabled = true;
      button.setAttribute('aria-busy', 'true');
    }
  });
})();
