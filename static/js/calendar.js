// The calendar (views/templates/calendar/_calendar.html): events dragged to another day or hour
// with SortableJS (static/vendor/sortablejs), as the deals' board does. A drop asks the server to
// move the event (POST /calendar/move, views/calendar.py), which saves it through the event
// service: on success the calendar comes back redrawn; a refusal puts the event back where it was
// and says why.
"use strict";

(() => {
  const csrfToken = () => {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRF-Token"];
    } catch (e) {
      return "";
    }
  };

  const say = (text, isError) => {
    const region = document.getElementById("calendar-message");
    if (!region) return;
    region.textContent = text;
    region.classList.toggle("error", Boolean(isError));
  };

  const snapBack = (drop) => {
    drop.from.insertBefore(drop.item, drop.from.children[drop.oldIndex] || null);
  };

  async function send(drop) {
    const calendar = document.getElementById("calendar");
    const body = new URLSearchParams({ event_id: drop.item.dataset.event, from: drop.item.dataset.from });
    if (drop.to.dataset.start && !drop.item.classList.contains("all-day")) {
      body.set("start", drop.to.dataset.start);
    } else {
      body.set("date", drop.to.dataset.date);
    }
    calendar.setAttribute("aria-busy", "true");
    let response;
    try {
      response = await fetch(calendar.dataset.moveUrl, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "X-CSRF-Token": csrfToken() },
      });
    } catch (e) {
      calendar.removeAttribute("aria-busy");
      snapBack(drop);
      say(String(e), true);
      return;
    }
    calendar.removeAttribute("aria-busy");
    const text = await response.text();
    if (response.ok) {
      calendar.outerHTML = text;
      const fresh = document.getElementById("calendar");
      say(fresh.dataset.message || "", false);
      if (window.htmx) window.htmx.process(fresh);
      init();
      return;
    }
    snapBack(drop);
    say(text, true);
  }

  function init() {
    if (typeof Sortable === "undefined") return;
    document.querySelectorAll("#calendar .cal-drop").forEach((list) => {
      if (list.dataset.sortable) return;
      list.dataset.sortable = "1";
      Sortable.create(list, {
        group: "calendar",
        sort: false, // a day's order is the server's (all day first, then by start)
        draggable: ".cal-event",
        animation: 150,
        // Mouse and touch events rather than HTML5 drag and drop: the same on every browser.
        forceFallback: true,
        fallbackTolerance: 3,
        onEnd: (evt) => {
          if (evt.from === evt.to) return;
          send({ item: evt.item, from: evt.from, to: evt.to, oldIndex: evt.oldIndex });
        },
      });
    });
  }

  // A click on a day's or an hour's free space opens the event form there, as its "+" link does.
  document.addEventListener("click", (event) => {
    const cell = event.target.closest("#calendar .cal-day, #calendar .cal-slot");
    if (!cell || event.target.closest("a, .cal-event, .cal-tasks")) return;
    const link = cell.querySelector("a.cal-new");
    if (link) window.location.assign(link.href);
  });

  document.addEventListener("DOMContentLoaded", init);
  // The owner filter swaps the calendar in (htmx): its new days take drops too.
  document.addEventListener("htmx:afterSettle", init);
})();
