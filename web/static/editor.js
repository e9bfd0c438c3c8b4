// The Sieve editor's live check: as the user types, the script is sent to
// the server's checker and each error is listed with its line; choosing an
// error puts the cursor on that line. Without JavaScript the page still
// works: saving checks the script and shows the same errors.
(function () {
  "use strict";
  var area = document.getElementById("script");
  var out = document.getElementById("check");
  var csrf = document.querySelector('meta[name="csrf"]');
  if (!area || !out || !csrf || !window.fetch) { return; }
  var timer = null, seq = 0;

  function lineStart(text, line) {
    var pos = 0;
    for (var i = 1; i < line; i++) {
      var nl = text.indexOf("\n", pos);
      if (nl < 0) { return text.length; }
      pos = nl + 1;
    }
    return pos;
  }

  function item(kind, e) {
    var li = document.createElement("li");
    li.className = kind;
    var a = document.createElement("a");
    a.href = "#script";
    a.textContent = "Line " + e.line + ", column " + e.column + ": " + e.message;
    a.addEventListener("click", function (ev) {
      ev.preventDefault();
      var p = lineStart(area.value, e.line) + Math.max(e.column - 1, 0);
      area.focus();
      area.setSelectionRange(p, p);
    });
    li.appendChild(a);
    return li;
  }

  function show(res) {
    out.textContent = "";
    var list = document.createElement("ul");
    (res.errors || []).forEach(function (e) { list.appendChild(item("bad", e)); });
    (res.warnings || []).forEach(function (e) { list.appendChild(item("warn", e)); });
    var status = document.createElement("p");
    status.className = res.ok ? "ok" : "bad";
    status.textContent = res.ok ? "The script is valid." : "The script has errors; it cannot be saved until they are fixed.";
    out.appendChild(status);
    if (list.childNodes.length) { out.appendChild(list); }
    area.setAttribute("aria-invalid", res.ok ? "false" : "true");
  }

  function check() {
    var mine = ++seq;
    fetch("/api/v1/filter/check", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf.content },
      body: JSON.stringify({ script: area.value }),
      credentials: "same-origin"
    }).then(function (r) { return r.json(); }).then(function (res) {
      if (mine === seq) { show(res); }
    }).catch(function () { /* the server check on save still applies */ });
  }

  area.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 250);
  });
  check();
})();
