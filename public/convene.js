// Progressive enhancement only: every page works without this file.
(function () {
  'use strict';
  // Tell the server this browser's time zone (used for dates until the person chooses one in settings).
  try {
    if (!/(^|; )convene_tz=/.test(document.cookie) && window.Intl) {
      var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (zone) document.cookie = 'convene_tz=' + encodeURIComponent(zone) + '; path=/; max-age=31536000; samesite=lax';
    }
  } catch (e) { /* no cookies: the community's time zone is used */ }
  // Disclosures folded on narrow screens only: the header menu and the library's filters
  // (open without JavaScript and on wide screens).
  if (window.matchMedia) {
    var narrow = window.matchMedia('(max-width: 40em)');
    var folds = Array.prototype.slice.call(document.querySelectorAll('details.convene-nav__menu, details[data-fold-narrow]'));
    var fit = function () { folds.forEach(function (d) { d.open = !narrow.matches; }); };
    fit();
    if (narrow.addEventListener) narrow.addEventListener('change', fit);
  }
  // "More" closes with Escape (focus back on it) and when focus or a click goes elsewhere.
  var more = document.querySelector('.convene-nav__more > details');
  if (more) {
    more.addEventListener('keydown', function (event) {
      if (event.key === 'Escape' && more.open) {
        more.open = false;
        more.querySelector('summary').focus();
      }
    });
    document.addEventListener('click', function (event) {
      if (more.open && !more.contains(event.target)) more.open = false;
    });
    more.addEventListener('focusout', function (event) {
      if (more.open && event.relatedTarget && !more.contains(event.relatedTarget)) more.open = false;
    });
  }
  // Markdown formatting buttons (an ARIA toolbar: one tab stop, arrow keys move between buttons).
  Array.prototype.forEach.call(document.querySelectorAll('.convene-md-toolbar[data-for]'), function (bar) {
    var area = document.getElementById(bar.getAttribute('data-for'));
    if (!area) return;
    var buttons = Array.prototype.slice.call(bar.querySelectorAll('button[data-md]'));
    var wrap = function (before, after, placeholder) {
      var start = area.selectionStart, end = area.selectionEnd, text = area.value;
      var chosen = text.slice(start, end) || placeholder;
      area.value = text.slice(0, start) + before + chosen + after + text.slice(end);
      area.focus();
      area.setSelectionRange(start + before.length, start + before.length + chosen.length);
    };
    var prefixLines = function (prefix) {
      var start = text_lineStart(area.value, area.selectionStart), end = area.selectionEnd;
      var block = area.value.slice(start, end) || '';
      var lines = (block || ' ').split('\n').map(function (l) { return prefix + l; }).join('\n');
      area.value = area.value.slice(0, start) + lines + area.value.slice(end);
      area.focus();
      area.setSelectionRange(start, start + lines.length);
    };
    function text_lineStart(text, i) { var n = text.lastIndexOf('\n', i - 1); return n < 0 ? 0 : n + 1; }
    var actions = {
      bold: function () { wrap('**', '**', 'text'); },
      italic: function () { wrap('_', '_', 'text'); },
      link: function () { wrap('[', '](https://)', 'text'); },
      list: function () { prefixLines('- '); },
      quote: function () { prefixLines('> '); }
    };
    bar.addEventListener('click', function (event) {
      var b = event.target.closest('button[data-md]');
      if (b && actions[b.getAttribute('data-md')]) actions[b.getAttribute('data-md')]();
    });
    bar.addEventListener('keydown', function (event) {
      var i = buttons.indexOf(document.activeElement);
      if (i < 0) return;
      var next = event.key === 'ArrowRight' ? (i + 1) % buttons.length : event.key === 'ArrowLeft' ? (i - 1 + buttons.length) % buttons.length : event.key === 'Home' ? 0 : event.key === 'End' ? buttons.length - 1 : -1;
      if (next < 0) return;
      event.preventDefault();
      buttons[i].tabIndex = -1;
      buttons[next].tabIndex = 0;
      buttons[next].focus();
    });
    bar.hidden = false;
  });
  // Drafts: a reply being written is kept in this browser (per thread) until it is sent,
  // discarded, or the person signs out.
  var DRAFT = 'convene-draft:';
  var store = null;
  try { store = window.localStorage; store.getItem('x'); } catch (e) { store = null; }
  if (store) {
    Array.prototype.forEach.call(document.querySelectorAll('textarea[data-draft]'), function (area) {
      var key = DRAFT + area.getAttribute('data-draft');
      var form = area.form;
      var saved = store.getItem(key);
      if (saved && !area.value.trim()) {
        area.value = saved;
        var note = document.createElement('div');
        note.className = 'usa-hint convene-draft-note';
        note.setAttribute('role', 'status');
        note.textContent = area.getAttribute('data-draft-restored') + ' ';
        var discard = document.createElement('button');
        discard.type = 'button';
        discard.className = 'usa-button usa-button--unstyled';
        discard.textContent = area.getAttribute('data-draft-discard');
        discard.addEventListener('click', function () {
          store.removeItem(key);
          area.value = '';
          note.parentNode.removeChild(note);
          area.focus();
        });
        note.appendChild(discard);
        area.parentNode.insertBefore(note, area);
      }
      var timer = null;
      area.addEventListener('input', function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(function () {
          try {
            if (area.value.trim()) store.setItem(key, area.value);
            else store.removeItem(key);
          } catch (e) { /* storage full or blocked: nothing is kept */ }
        }, 400);
      });
      if (form) form.addEventListener('submit', function (event) {
        // Posting (not previewing) ends the draft; a refused post comes back with the text in the box.
        var via = event.submitter;
        if (!via || via.name !== 'preview') store.removeItem(key);
      });
    });
    // Signing out leaves no draft behind on this device.
    Array.prototype.forEach.call(document.querySelectorAll('form[action="/logout"]'), function (form) {
      form.addEventListener('submit', function () {
        for (var i = store.length - 1; i >= 0; i--) {
          var k = store.key(i);
          if (k && k.indexOf(DRAFT) === 0) store.removeItem(k);
        }
      });
    });
  }
  // @mentions: typing @ and a few letters offers people to mention, in a list under the box
  // (the ARIA 1.2 combobox pattern as it applies to a text area: the box keeps focus and
  // points at the highlighted option; Down and Up move, Enter or Tab mentions, Escape closes;
  // a polite status says how many were found). Without script, people type the handle.
  Array.prototype.forEach.call(document.querySelectorAll('textarea[data-mentions]'), function (area) {
    var source = area.getAttribute('data-mentions');
    var msg = function (name) { return area.getAttribute('data-mentions-' + name) || ''; };
    var listId = area.id + '-mentions';
    var box = document.createElement('ul');
    box.id = listId;
    box.className = 'convene-mentions';
    box.setAttribute('role', 'listbox');
    box.setAttribute('aria-label', msg('label'));
    box.hidden = true;
    var status = document.createElement('div');
    status.className = 'usa-sr-only';
    status.setAttribute('role', 'status');
    status.setAttribute('aria-live', 'polite');
    area.parentNode.insertBefore(status, area.nextSibling);
    area.parentNode.insertBefore(box, area.nextSibling);
    area.setAttribute('aria-autocomplete', 'list');
    area.setAttribute('aria-controls', listId);
    var people = [];
    var active = -1;
    var start = -1;
    var timer = null;
    var asked = 0;
    var close = function () {
      box.hidden = true;
      box.textContent = '';
      people = [];
      active = -1;
      area.removeAttribute('aria-activedescendant');
    };
    var highlight = function (i) {
      active = i;
      Array.prototype.forEach.call(box.children, function (li, j) { li.setAttribute('aria-selected', j === i ? 'true' : 'false'); });
      if (i < 0) return area.removeAttribute('aria-activedescendant');
      area.setAttribute('aria-activedescendant', listId + '-' + i);
      if (box.children[i].scrollIntoView) box.children[i].scrollIntoView({ block: 'nearest' });
    };
    var pick = function (i) {
      var person = people[i];
      if (!person) return;
      var before = area.value.slice(0, start);
      var after = area.value.slice(area.selectionEnd).replace(/^[\p{L}\p{N}_.]*/u, '');
      var inserted = '@' + person.handle + ' ';
      area.value = before + inserted + after;
      var caret = before.length + inserted.length;
      area.setSelectionRange(caret, caret);
      close();
      status.textContent = msg('picked').replace('{name}', person.name);
      // Drafts and anything else listening hear about the change.
      area.dispatchEvent(new Event('input', { bubbles: true }));
    };
    var lookup = function () {
      var upto = area.value.slice(0, area.selectionStart);
      var m = /(^|[^\p{L}\p{N}_@])@([\p{L}\p{N}_.]{1,30})$/u.exec(upto);
      if (!m || area.selectionStart !== area.selectionEnd) return close();
      start = upto.length - m[2].length - 1;
      var mine = ++asked;
      fetch(source + (source.indexOf('?') >= 0 ? '&' : '?') + 'q=' + encodeURIComponent(m[2]), { credentials: 'same-origin', headers: { accept: 'application/json' } })
        .then(function (res) { return res.ok ? res.json() : null; })
        .then(function (data) {
          if (mine !== asked) return;
          close();
          if (!data || !data.people || data.people.length === 0) { status.textContent = msg('none'); return; }
          people = data.people;
          people.forEach(function (person, i) {
            var li = document.createElement('li');
            li.id = listId + '-' + i;
            li.className = 'convene-mentions__option';
            li.setAttribute('role', 'option');
            li.setAttribute('aria-selected', 'false');
            var name = document.createElement('span');
            name.textContent = person.name;
            var handle = document.createElement('span');
            handle.className = 'convene-handle';
            handle.textContent = ' @' + person.handle;
            li.appendChild(name);
            li.appendChild(handle);
            // Keep focus in the box: a click picks without blurring it.
            li.addEventListener('mousedown', function (event) { event.preventDefault(); });
            li.addEventListener('click', function () { pick(i); area.focus(); });
            box.appendChild(li);
          });
          box.hidden = false;
          status.textContent = people.length === 1 ? msg('one') : msg('many').replace('{n}', String(people.length));
        })
        .catch(close);
    };
    area.addEventListener('input', function (event) {
      if (!event.isTrusted) return;
      clearTimeout(timer);
      timer = setTimeout(lookup, 150);
    });
    area.addEventListener('keydown', function (event) {
      if (box.hidden || people.length === 0) return;
      if (event.key === 'ArrowDown') { event.preventDefault(); highlight((active + 1) % people.length); }
      else if (event.key === 'ArrowUp') { event.preventDefault(); highlight(active <= 0 ? people.length - 1 : active - 1); }
      else if ((event.key === 'Enter' || event.key === 'Tab') && active >= 0) { event.preventDefault(); pick(active); }
      else if (event.key === 'Escape') { event.preventDefault(); close(); }
    });
    area.addEventListener('blur', function () { setTimeout(close, 150); });
  });
  // A preview shown after "Preview": move focus to it so it is read.
  var preview = document.getElementById('reply-preview');
  if (preview) preview.focus();
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

  // Glossary terms: without script each is a link to its entry; with script it
  // opens a short definition in place (a disclosure: Enter or click toggles,
  // Escape closes and keeps focus on the term).
  var cache = {};
  var es = document.documentElement.lang === 'es';
  var moreLabel = es ? 'Más en el glosario' : 'More in the glossary';
  Array.prototype.slice.call(document.querySelectorAll('a.convene-term')).forEach(function (link, i) {
    var slug = link.getAttribute('data-term');
    if (!slug) return;
    var id = 'term-def-' + i;
    link.setAttribute('role', 'button');
    link.setAttribute('aria-expanded', 'false');
    link.setAttribute('aria-controls', id);
    var close = function () {
      var box = document.getElementById(id);
      if (box) box.parentNode.removeChild(box);
      link.setAttribute('aria-expanded', 'false');
    };
    var show = function (data) {
      var box = document.createElement('span');
      box.id = id;
      box.className = 'convene-term__def';
      var name = document.createElement('strong');
      name.textContent = (data.acronym ? data.acronym + ' — ' : '') + data.term + ': ';
      var text = document.createElement('span');
      text.textContent = es && data.plain_definition_es ? data.plain_definition_es : data.plain_definition;
      var more = document.createElement('a');
      more.href = link.getAttribute('href');
      more.className = 'usa-link';
      more.textContent = moreLabel;
      box.appendChild(name);
      box.appendChild(text);
      box.appendChild(document.createTextNode(' '));
      box.appendChild(more);
      link.parentNode.insertBefore(box, link.nextSibling);
      link.setAttribute('aria-expanded', 'true');
    };
    link.addEventListener('click', function (event) {
      event.preventDefault();
      if (link.getAttribute('aria-expanded') === 'true') return close();
      if (cache[slug]) return show(cache[slug]);
      fetch('/api/v1/glossary/' + encodeURIComponent(slug), { credentials: 'same-origin', headers: { accept: 'application/json' } })
        .then(function (res) { return res.ok ? res.json() : null; })
        .then(function (data) {
          if (!data) { window.location.href = link.getAttribute('href'); return; }
          cache[slug] = data;
          show(data);
        })
        .catch(function () { window.location.href = link.getAttribute('href'); });
    });
    link.addEventListener('keydown', function (event) {
      if (event.key === 'Escape') close();
      if (event.key === ' ') { event.preventDefault(); link.click(); }
    });
  });
  // ---- the installable app: service worker, install button, push on this device ----------------
  var sw = 'serviceWorker' in navigator && window.isSecureContext;
  if (sw) {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(function () { /* the site works without it */ });
    // Signing out: drop the offline copies now (the answer's Clear-Site-Data does it too where supported).
    Array.prototype.forEach.call(document.querySelectorAll('form[action="/logout"]'), function (form) {
      form.addEventListener('submit', function () {
        if (navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage('convene:clear');
        if (window.caches) caches.keys().then(function (keys) { keys.forEach(function (k) { caches.delete(k); }); });
      });
    });
  }
  var installItem = document.querySelector('.convene-install');
  window.addEventListener('beforeinstallprompt', function (event) {
    if (!installItem) return;
    event.preventDefault();
    installItem.hidden = false;
    installItem.querySelector('button').addEventListener('click', function () {
      installItem.hidden = true;
      event.prompt();
    }, { once: true });
  });
  var push = document.querySelector('.convene-push');
  if (push && sw && 'PushManager' in window && 'Notification' in window) {
    var note = push.querySelector('.convene-push__unsupported');
    var status = push.querySelector('.convene-push__status');
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'usa-button usa-button--outline';
    note.hidden = true;
    push.insertBefore(button, status);
    var keyBytes = function (base64) {
      var padded = (base64 + '==='.slice((base64.length + 3) % 4)).replace(/-/g, '+').replace(/_/g, '/');
      var raw = atob(padded);
      var out = new Uint8Array(raw.length);
      for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
      return out;
    };
    var send = function (method, body) {
      return fetch('/api/v1/me/push-subscriptions', { method: method, credentials: 'same-origin', headers: { 'content-type': 'application/json', 'x-csrf-token': push.getAttribute('data-push-csrf') }, body: JSON.stringify(body) });
    };
    var show = function (on) {
      button.textContent = push.getAttribute(on ? 'data-push-off' : 'data-push-on');
      button.setAttribute('aria-pressed', on ? 'true' : 'false');
    };
    show(false);
    navigator.serviceWorker.ready.then(function (reg) {
      reg.pushManager.getSubscription().then(function (sub) { show(!!sub); });
      button.addEventListener('click', function () {
        reg.pushManager.getSubscription().then(function (sub) {
          if (sub) {
            return send('DELETE', { endpoint: sub.endpoint }).then(function () { return sub.unsubscribe(); }).then(function () {
              show(false);
              status.textContent = push.getAttribute('data-push-removed');
            });
          }
          return Notification.requestPermission().then(function (permission) {
            if (permission !== 'granted') { status.textContent = push.getAttribute('data-push-denied'); return; }
            return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(push.getAttribute('data-push-key')) }).then(function (created) {
              return send('PUT', created.toJSON()).then(function (res) {
                if (!res.ok) throw new Error('refused');
                show(true);
                status.textContent = push.getAttribute('data-push-done');
              });
            });
          });
        }).catch(function () { status.textContent = push.getAttribute('data-push-denied'); });
      });
    });
  }
})();
