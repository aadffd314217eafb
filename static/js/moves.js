// Moves by drag and drop, shared by the deals' board (deal_board.js) and the calendar
// (calendar.js): lists made droppable with SortableJS (static/vendor/sortablejs), a drop sent to
// the server as a form POST with the page's CSRF token, and on a refusal the item put back and the
// reason said in the page's live region.
"use strict";

window.KizunaMoves = (() => {
  const csrfToken = () => {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRF-Token"];
    } catch (e) {
      return "";
    }
  };

  // A message in the live region `regionId` (an error, or what the server said it did).
  const say = (regionId, text, isError) => {
    const region = document.getElementById(regionId);
    if (!region) return;
    region.textContent = text;
    region.classList.toggle("error", Boolean(isError));
  };

  // The item back in its list, at its place (the drop is undone on screen only: nothing moved).
  const snapBack = (drop) => {
    drop.from.insertBefore(drop.item, drop.from.children[drop.oldIndex] || null);
  };

  // POST `body` to `url` while `container` says it is busy: {response, text}, or {error}.
  async function post(container, url, body) {
    container.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(url, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "X-CSRF-Token": csrfToken() },
      });
      return { response, text: await response.text() };
    } catch (error) {
      return { error };
    } finally {
      container.removeAttribute("aria-busy");
    }
  }

  // Every list matching `selector` takes drops (once each); `onMove(drop)` when an item lands in
  // another list. Mouse and touch events rather than HTML5 drag and drop: the same on every browser.
  function droppable(selector, options, onMove) {
    if (typeof Sortable === "undefined") return;
    document.querySelectorAll(selector).forEach((list) => {
      if (list.dataset.sortable) return;
      list.dataset.sortable = "1";
      Sortable.create(list, {
        sort: false, // a list's order is the server's, not the user's
        animation: 150,
        forceFallback: true,
        fallbackTolerance: 3,
        ...options,
        onEnd: (evt) => {
          if (evt.from === evt.to) return;
          onMove({ item: evt.item, from: evt.from, to: evt.to, oldIndex: evt.oldIndex });
        },
      });
    });
  }

  return { say, snapBack, post, droppable };
})();
