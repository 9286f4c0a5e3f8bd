// An enhancement of the record-check page: the server already verified the
// receipt with the ledger's verifier and pinned keys; here the browser checks
// the same receipt again on its own, with Web Crypto: the record and salt
// hash to the commitment in the log entry (SHA-256(salt ‖ canonical JSON)),
// and the entry is included (RFC 9162) in the tree whose root the signed
// checkpoint states. The checkpoint's signature is left to the server's check.
(function () {
  'use strict';
  var data = document.getElementById('receipt-data');
  var out = document.getElementById('browser-check');
  if (!data || !out || !window.crypto || !crypto.subtle) return;

  function b64(text) {
    var bin = atob(text);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return bytes;
  }
  function concat(parts) {
    var length = parts.reduce(function (n, p) { return n + p.length; }, 0);
    var outBytes = new Uint8Array(length);
    var at = 0;
    parts.forEach(function (p) { outBytes.set(p, at); at += p.length; });
    return outBytes;
  }
  function sha256(bytes) {
    return crypto.subtle.digest('SHA-256', bytes).then(function (d) { return new Uint8Array(d); });
  }
  function equal(a, b) {
    if (a.length !== b.length) return false;
    for (var i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  function canonical(value) {
    if (Array.isArray(value)) return '[' + value.map(canonical).join(',') + ']';
    if (value !== null && typeof value === 'object') {
      return '{' + Object.keys(value).sort().filter(function (k) { return value[k] !== undefined; }).map(function (k) {
        return JSON.stringify(k) + ':' + canonical(value[k]);
      }).join(',') + '}';
    }
    return JSON.stringify(value);
  }

  async function check(receipt) {
    var entry = b64(receipt.entry);
    if (receipt.salt !== null) {
      var committed = await sha256(concat([b64(receipt.salt), new TextEncoder().encode(canonical(receipt.record))]));
      if (!equal(committed, entry.subarray(10))) return false;
    }
    var lines = receipt.proof.split('\n');
    var at = 1;
    if (lines[at].indexOf('extra ') === 0) at++;
    var index = Number(lines[at++].slice('index '.length));
    var hashes = [];
    while (lines[at] !== '') hashes.push(b64(lines[at++]));
    var checkpoint = lines.slice(at + 1);
    var size = Number(checkpoint[1]);
    var root = b64(checkpoint[2]);
    if (!(index < size)) return false;
    // RFC 9162 section 2.1.3.2
    var fn = index, sn = size - 1;
    var r = await sha256(concat([new Uint8Array([0]), entry]));
    for (var i = 0; i < hashes.length; i++) {
      if (sn === 0) return false;
      if (fn % 2 === 1 || fn === sn) {
        r = await sha256(concat([new Uint8Array([1]), hashes[i], r]));
        if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
      } else {
        r = await sha256(concat([new Uint8Array([1]), r, hashes[i]]));
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    return sn === 0 && equal(r, root);
  }

  check(JSON.parse(data.textContent)).then(function (ok) {
    out.textContent = ok ? out.getAttribute('data-text') : '✗';
    out.className = ok ? 'ok' : 'error';
    out.setAttribute('data-verified', ok ? 'browser' : 'failed');
    out.hidden = false;
  }, function () {
    out.setAttribute('data-verified', 'failed');
  });
})();
// An enhancement only: every page works without it. A form sent once is not
// sent twice by an impatient second tap on a slow line.
document.addEventListener('submit', function (event) {
  var form = event.target;
  if (form.getAttribute('data-sent')) {
    event.preventDefault();
    return;
  }
  form.setAttribute('data-sent', '1');
  form.setAttribute('aria-busy', 'true');
});
