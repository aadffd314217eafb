// Page behaviour that is not htmx, kept out of the HTML: the Content-Security-Policy allows no
// inline script or event handler (script-src 'self'). Delegated listeners, so fragments swapped
// in by htmx work without re-binding.
"use strict";

// <button data-confirm="Really?">: ask before the click does anything (submit, htmx request).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);

// <a data-back href="/">: back to the previous page when there is one, else follow the link.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-back]");
  if (link && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});

// A document form's "remove line" button: drop its row and let the totals preview recompute.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button.remove-line");
  if (!button) return;
  const form = button.closest("form");
  button.closest("tr").remove();
  form.dispatchEvent(new CustomEvent("lines-changed", { bubbles: true }));
});

// A value fixed inline on a sync report (views/templates/pim/_ignored_rows.html): its length
// against the limit as it is typed (in characters, as the server counts them), and its row
// picked for "Sync selected".
document.addEventListener("input", (event) => {
  const input = event.target.closest("input.fix[data-limit]");
  if (!input) return;
  const length = [...input.value].length;
  const output = document.getElementById(input.getAttribute("aria-describedby"));
  if (output) {
    output.textContent = `${length} / ${input.dataset.limit}`;
    output.classList.toggle("over", length > Number(input.dataset.limit));
  }
  const pick = input.closest("tr")?.querySelector("input[name=ignored]");
  if (pick) pick.checked = true;
});

// Search pickers (views/templates/records/_attendee_picker.html, _related_picker.html): Enter in
// the search field never submits the form. An e-mail address typed there is added (the button
// named by data-picker-enter); otherwise Enter or Down moves to the first result. Up and Down move
// between results, Escape goes back to the field.
function pickerResults(input) {
  const box = document.getElementById(input.getAttribute("aria-controls"));
  return box ? [...box.querySelectorAll("button.pick")] : [];
}

document.addEventListener("keydown", (event) => {
  const input = event.target.closest("input[data-picker-enter]");
  if (input && (event.key === "Enter" || event.key === "ArrowDown")) {
    event.preventDefault();
    const add = input.dataset.pickerEnter && document.getElementById(input.dataset.pickerEnter);
    const results = pickerResults(input);
    if (event.key === "Enter" && add && (input.value.includes("@") || !results.length)) {
      add.click();
    } else if (results.length) {
      results[0].focus();
    }
    return;
  }
  const pick = event.target.closest("button.pick");
  if (!pick) return;
  const picker = pick.closest(".picker");
  const field = picker && picker.querySelector("input[data-picker-enter]");
  if (!field) return;
  const results = pickerResults(field);
  const at = results.indexOf(pick);
  if (event.key === "ArrowDown" && at < results.length - 1) {
    event.preventDefault();
    results[at + 1].focus();
  } else if (event.key === "ArrowUp" || event.key === "Escape") {
    event.preventDefault();
    (at > 0 && event.key === "ArrowUp" ? results[at - 1] : field).focus();
  }
});

// A list's "select all on this page" box (records/_rows.html): checks or clears the rows' boxes
// of its form.
document.addEventListener("change", (event) => {
  const all = event.target.closest("input[data-select-all]");
  if (!all) return;
  const form = all.closest("form");
  for (const box of form.querySelectorAll(`input[type=checkbox][name="${all.dataset.selectAll}"]`)) {
    box.checked = all.checked;
  }
});
