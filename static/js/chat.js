// The team chat: keep a channel's list scrolled to the newest message when one arrives live or the
// page opens (unless the reader scrolled up to read older ones), and send with Ctrl/Cmd+Enter.
(function () {
  "use strict";
  function atBottom(list) {
    return list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  }
  function toBottom(root) {
    (root || document).querySelectorAll(".chat-list").forEach(function (list) {
      list.scrollTop = list.scrollHeight;
    });
  }
  document.addEventListener("DOMContentLoaded", function () { toBottom(); });
  document.addEventListener("htmx:load", function (e) { toBottom(e.target); });
  document.addEventListener("htmx:sseBeforeMessage", function (e) {
    var list = e.target.classList && e.target.classList.contains("chat-list") ? e.target : null;
    if (list) { list.dataset.stick = atBottom(list) ? "1" : ""; }
  });
  document.addEventListener("htmx:sseMessage", function (e) {
    var list = e.target;
    if (list.classList && list.classList.contains("chat-list") && list.dataset.stick === "1") {
      list.scrollTop = list.scrollHeight;
    }
  });
  document.addEventListener("keydown", function (e) {
    var box = e.target;
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && box.matches && box.matches(".chat-form textarea")) {
      e.preventDefault();
      box.form.requestSubmit();
    }
  });
})();
