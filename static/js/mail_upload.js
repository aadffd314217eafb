// E-mail files dropped on an upload control (mail/_upload.html), or anywhere on the card around
// it ([data-mail-drop]): they become the file input's files and the form is submitted, which
// htmx posts like a click on "Upload". Kept out of the HTML: the Content-Security-Policy allows
// no inline script. Delegated listeners: controls swapped in by htmx need no binding.
"use strict";

(() => {
  const formOf = (target) => {
    if (!(target instanceof Element)) return null;
    const form = target.closest("form[data-mail-upload]");
    if (form) return form;
    const zone = target.closest("[data-mail-drop]");
    return zone ? zone.querySelector("form[data-mail-upload]") : null;
  };
  const carriesFiles = (event) =>
    event.dataTransfer && Array.from(event.dataTransfer.types || []).includes("Files");

  document.addEventListener("dragover", (event) => {
    const form = formOf(event.target);
    if (!form || !carriesFiles(event)) return;
    event.preventDefault(); // allow the drop
    event.dataTransfer.dropEffect = "copy";
    form.classList.add("dragging");
  });

  document.addEventListener("dragleave", (event) => {
    const form = formOf(event.target);
    if (form && !form.contains(event.relatedTarget)) form.classList.remove("dragging");
  });

  document.addEventListener("drop", (event) => {
    const form = formOf(event.target);
    if (!form || !event.dataTransfer || !event.dataTransfer.files.length) return;
    event.preventDefault(); // the browser would open the file instead
    form.classList.remove("dragging");
    form.querySelector("input[type=file]").files = event.dataTransfer.files;
    form.requestSubmit();
  });

  // A refusal htmx does not swap (413: the request was too large; 403, 404): its text, or a
  // general message, in the control's status line. Text only: a response is never markup here.
  document.addEventListener("htmx:responseError", (event) => {
    const form = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("form[data-mail-upload]");
    if (!form) return;
    const status = form.querySelector("[data-upload-status]");
    const xhr = event.detail.xhr;
    const plain = (xhr.getResponseHeader("Content-Type") || "").startsWith("text/plain");
    status.textContent = plain && xhr.responseText ? xhr.responseText : form.dataset.failed;
    status.classList.add("field-error");
  });
})();
