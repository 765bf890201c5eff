// The case-list import (/admin/cases): the chosen file is posted as it
// is, as text/csv, to POST /api/v1/admin/cases with the session cookie,
// and the answer is shown in #cases-result: the counts by category, or
// every bad row with its line.  text/csv is not a type a cross-site form
// can send, so the API needs no CSRF token: a cross-site fetch of it is
// preflighted and refused.
(function () {
  'use strict';
  var form = document.getElementById('cases-form');
  var input = document.getElementById('cases-file');
  var button = document.getElementById('cases-import');
  var out = document.getElementById('cases-result');
  if (!form || !input || !out) return;

  var CATEGORIES = ['confirmed', 'suspected', 'asymptomatic', 'close_contact',
    'secondary_contact'];

  function el(tag, cls, text, id) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (id) e.id = id;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function say(cls, text) {
    out.replaceChildren(el('p', cls, text, 'cases-message'));
  }

  function shown(status, body) {
    var list, i, r, li;
    out.replaceChildren();
    out.setAttribute('data-status', String(status));
    if (status === 200) {
      out.appendChild(el('p', 'notice', form.getAttribute('data-done') + ' ' +
        body.imported, 'cases-imported'));
      list = el('ul', 'counts', undefined, 'cases-counts');
      CATEGORIES.forEach(function (c) {
        li = el('li', null, (form.getAttribute('data-label-' + c) || c) +
          ': ' + ((body.counts && body.counts[c]) || 0));
        li.setAttribute('data-category', c);
        li.setAttribute('data-count', String((body.counts && body.counts[c]) || 0));
        list.appendChild(li);
      });
      out.appendChild(list);
      var again = el('a', null, form.getAttribute('data-reload'), 'cases-reload');
      again.href = '/admin/cases';
      out.appendChild(again);
      return;
    }
    var err = body && body.error ? body.error : { code: 'internal', message: 'HTTP ' + status };
    out.appendChild(el('p', 'error banner-error', err.message, 'cases-error'));
    out.lastChild.setAttribute('data-code', err.code);
    if (body && body.rows && body.rows.length) {
      list = el('ol', 'bad-rows', undefined, 'cases-errors');
      for (i = 0; i < body.rows.length; i++) {
        r = body.rows[i];
        li = el('li', null, form.getAttribute('data-line').replace('{n}', r.line) +
          (r.field ? ' · ' + r.field : '') + ': ' + r.message);
        li.setAttribute('data-line', String(r.line));
        li.setAttribute('data-reason', r.reason);
        list.appendChild(li);
      }
      out.appendChild(list);
      if (body.truncated) out.appendChild(el('p', 'fine', form.getAttribute('data-more')));
    }
  }

  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var file = input.files && input.files[0];
    if (!file) {
      say('error', form.getAttribute('data-no-file'));
      return;
    }
    button.disabled = true;
    say('fine', form.getAttribute('data-busy'));
    fetch('/api/v1/admin/cases', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'text/csv' },
      body: file
    }).then(function (r) {
      return r.json().catch(function () { return null; }).then(function (body) {
        shown(r.status, body);
      });
    }).catch(function (e) {
      say('error', String(e));
    }).then(function () {
      button.disabled = false;
    });
  });
})();
