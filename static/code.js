// The code page: a ticking clock, and a fresh code (QR, colour) fetched
// before the shown one expires, without reloading.  A screenshot shows a
// stopped clock and, minutes later, an expired code.
(function () {
  'use strict';
  var root = document.getElementById('code');
  var qr = document.getElementById('qr');
  var clock = document.getElementById('clock');
  var label = document.getElementById('color-label');
  if (!root) return;

  function pad(n) { return n < 10 ? '0' + n : String(n); }
  function tick() {
    var d = new Date();
    clock.textContent = pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
  }
  tick();
  setInterval(tick, 1000);

  // Renew 30 s before expiry, timed by the seconds the server says the
  // code has left, so that a wrong phone clock does not matter.
  function schedule(ttl) {
    setTimeout(refresh, Math.max(5, ttl - 30) * 1000);
  }

  function refresh() {
    fetch('/api/v1/code.svg', { credentials: 'same-origin', cache: 'no-store' })
      .then(function (r) {
        if (r.status === 409) { location.href = '/declare'; return null; }
        if (r.status === 401) { location.href = '/login'; return null; }
        if (!r.ok) throw new Error('HTTP ' + r.status);
        var color = r.headers.get('X-Code-Color');
        var ttl = Number(r.headers.get('X-Code-Expires-In'));
        return r.text().then(function (svg) {
          var doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
          qr.replaceChildren(document.importNode(doc.documentElement, true));
          if (color && root.className !== 'code code-' + color) {
            root.className = 'code code-' + color;
            label.textContent = root.getAttribute('data-label-' + color) || color;
          }
          root.setAttribute('data-renewed', String(Date.now()));
          schedule(ttl > 0 ? ttl : 300);
        });
      })
      .catch(function () { setTimeout(refresh, 10000); });
  }

  schedule(Number(root.getAttribute('data-ttl')) || 300);
})();
