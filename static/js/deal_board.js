// The deals' pipeline board (views/templates/deals/board.html): cards dragged between stage columns
// with SortableJS (static/vendor/sortablejs). A drop asks the server to move the deal
// (POST /deals/board/move, views/deal_pipeline.py), which decides as the deal's edit form would:
// on success the board comes back with new counts and totals; a refusal puts the card back where
// it was and says why; a lost stage without a reason asks for one in a dialog and tries again.
"use strict";

(() => {
  const { droppable, post, snapBack } = window.KizunaMoves;
  const say = (text, isError) => window.KizunaMoves.say("board-message", text, isError);

  const dialog = () => document.getElementById("lost-dialog");
  let waiting = null; // the refused drop whose lost reason the dialog asks for

  async function send(drop, reason) {
    const board = document.getElementById("board");
    const body = new URLSearchParams({ deal_id: drop.item.dataset.deal, stage_id: drop.to.dataset.stage });
    if (reason !== undefined) body.set("lost_reason", reason);
    const { response, text, error } = await post(board, board.dataset.moveUrl + window.location.search, body);
    if (error) {
      snapBack(drop);
      say(board.dataset.offline || String(error), true);
      return;
    }
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

  // A column's order is the server's (closing date), not the user's.
  const init = () => droppable("#board .board-cards", { group: "deals" }, send);

  document.addEventListener("DOMContentLoaded", init);
  // The search and filters swap the board in (htmx): its new columns take drops too.
  document.addEventListener("htmx:afterSettle", init);
})();
