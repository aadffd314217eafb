// The calendar (views/templates/calendar/_calendar.html): events dragged to another day or hour
// with SortableJS (static/vendor/sortablejs), as the deals' board does. A drop asks the server to
// move the event (POST /calendar/move, views/calendar.py), which saves it through the event
// service: on success the calendar comes back redrawn; a refusal puts the event back where it was
// and says why.
"use strict";

(() => {
  const { droppable, post, snapBack } = window.KizunaMoves;
  const say = (text, isError) => window.KizunaMoves.say("calendar-message", text, isError);

  async function send(drop) {
    const calendar = document.getElementById("calendar");
    const body = new URLSearchParams({ event_id: drop.item.dataset.event, from: drop.item.dataset.from });
    if (drop.to.dataset.start && !drop.item.classList.contains("all-day")) {
      body.set("start", drop.to.dataset.start);
    } else {
      body.set("date", drop.to.dataset.date);
    }
    const { response, text, error } = await post(calendar, calendar.dataset.moveUrl, body);
    if (error) {
      snapBack(drop);
      say(String(error), true);
      return;
    }
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

  // A day's order is the server's (all day first, then by start).
  const init = () => droppable("#calendar .cal-drop", { group: "calendar", draggable: ".cal-event" }, send);

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
