// Progressive: without JS every fix is still plain text to select, and every fold opens by hand.
(function () {
  function copied(button) {
    button.textContent = "Copied";
    setTimeout(function () { button.textContent = "Copy"; }, 1500);
  }
  function fallback(button, code) {  // no Clipboard API (an old browser, a sandboxed viewer)
    window.getSelection().selectAllChildren(code);
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    if (ok) { copied(button); } else { button.textContent = "Selected: press Ctrl+C"; }
  }
  document.querySelectorAll("figure.fix").forEach(function (fig) {
    var button = fig.querySelector("button.copy"), code = fig.querySelector("pre code");
    button.hidden = false;
    button.addEventListener("click", function () {
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(code.textContent).then(
          function () { copied(button); }, function () { fallback(button, code); });
      } else {
        fallback(button, code);
      }
    });
  });
  // Printed, every fold is open (the print stylesheet does the same where the browser supports it).
  var closed = [];
  window.addEventListener("beforeprint", function () {
    closed = Array.prototype.filter.call(document.querySelectorAll("details"), function (d) { return !d.open; });
    closed.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    closed.forEach(function (d) { d.open = false; });
    closed = [];
  });
})();
