// The deals' pipeline board (views/templates/deals/board.html): cards dragged between stage columns
// with SortableJS (static/vendor/sortablejs). A drop asks the server to move the deal
// (POST /deals/board/move, views/deal_pipeline.py), which decides as the deal's edit form would:
// on success the board comes back with new counts and totals; a refusal puts the card back where
// it was and says why; a lost stage without a reason asks for one in a dialog and tries again.
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
    const region = document.getElementById("board-message");
    if (!region) return;
    region.textContent = text;
    region.classList.toggle("error", Boolean(isError));
  };

  // The card back in its column, at its place (the drop is undone on screen only: nothing moved).
  const snapBack = (drop) => {
    drop.from.insertBefore(drop.item, drop.from.children[drop.oldIndex] || null);
  };

  const dialog = () => document.getElementById("lost-dialog");
  let waiting = null; // the refused drop whose lost reason the dialog asks for

  async function send(drop, reason) {
    const board = document.getElementById("board");
    const body = new URLSearchParams({ deal_id: drop.item.dataset.deal, stage_id: drop.to.dataset.stage });
    if (reason !== undefined) body.set("lost_reason", reason);
    board.setAttribute("aria-busy", "true");
    let response;
    try {
      response = await fetch(board.dataset.moveUrl + window.location.search, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "X-CSRF-Token": csrfToken() },
      });
    } catch (e) {
      board.removeAttribute("aria-busy");
      snapBack(drop);
      say(board.dataset.offline || String(e), true);
      return;
    }
    board.removeAttribute("aria-busy");
    const text = await response.text();
    if (response.ok) {
      board.outerHTML = text;
      const fresh = document.getElementById("board");
      say(fresh.dataset.message || "", false);
      init();
      return;
    }
    if (document.getElementById("board").contains(drop.item) && drop.item.parentElement === drop.to) {
      snapBack(drop);
    }
    say(text, true);
    if (response.headers.get("X-Needs-Lost-Reason")) {
      waiting = drop;
      const d = dialog();
      document.getElementById("lost-dialog-error").textContent = reason === undefined ? "" : text;
      document.getElementById("lost-dialog-reason").value = reason || "";
      d.showModal();
    }
  }

  // The dialog's "Mark as lost": the same drop again, with the reason (the card moves meanwhile).
  document.addEventListener("submit", (event) => {
    if (event.target.id !== "lost-dialog-form" || !waiting) return;
    event.preventDefault();
    const drop = waiting;
    waiting = null;
    dialog().close();
    drop.to.appendChild(drop.item);
    send(drop, document.getElementById("lost-dialog-reason").value);
  });

  document.addEventListener("click", (event) => {
    if (event.target.id !== "lost-dialog-cancel") return;
    waiting = null;
    dialog().close();
  });

  document.addEventListener("close", (event) => {
    if (event.target.id === "lost-dialog") waiting = null;
  }, true);

  function init() {
    if (typeof Sortable === "undefined") return;
    document.querySelectorAll("#board .board-cards").forEach((list) => {
      if (list.dataset.sortable) return;
      list.dataset.sortable = "1";
      Sortable.create(list, {
        group: "deals",
        sort: false, // a column's order is the server's (closing date), not the user's
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

  document.addEventListener("DOMContentLoaded", init);
  // The search and filters swap the board in (htmx): its new columns take drops too.
  document.addEventListener("htmx:afterSettle", init);
})();
