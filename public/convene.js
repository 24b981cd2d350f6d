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

  // Live replies: the thread page listens for new posts (server-sent events),
  // then fetches them as HTML through an ordinary, permission-checked request.
  var list = document.querySelector('ol[data-live]');
  if (list && window.EventSource && window.fetch) {
    var status = document.getElementById('live-status');
    var after = Number(list.getAttribute('data-after')) || 0;
    var busy = false;
    var again = false;
    var load = function () {
      if (busy) { again = true; return; }
      busy = true;
      fetch(list.getAttribute('data-fragment') + '?after=' + after, { credentials: 'same-origin', headers: { accept: 'text/html' } })
        .then(function (res) { return res.ok ? res.text() : ''; })
        .then(function (html) {
          if (!html) return;
          var box = document.createElement('ol');
          box.innerHTML = html;
          var added = 0;
          Array.prototype.slice.call(box.children).forEach(function (li) {
            var id = Number(li.getAttribute('data-post-id'));
            if (!id || document.getElementById('post-' + id)) return;
            li.classList.add('convene-post--new');
            list.appendChild(li);
            after = Math.max(after, id);
            added++;
          });
          if (added && status) {
            status.textContent = added === 1 ? status.getAttribute('data-one') : status.getAttribute('data-many').replace('{n}', String(added));
          }
        })
        .catch(function () {})
        .then(function () {
          busy = false;
          if (again) { again = false; load(); }
        });
    };
    var source = new EventSource(list.getAttribute('data-live'));
    source.addEventListener('post', load);
    window.addEventListener('pagehide', function () { source.close(); });
  }
})();
