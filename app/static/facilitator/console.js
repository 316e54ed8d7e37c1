/* Chemins — the facilitator's live step page. The page works without this script (every
   action is a form; reload to refresh); the script only keeps it live over /ws (role
   "facilitator"): presence counts, results of a vote, and the idea wall of a brainstorm.

   The idea wall keeps ONE rendering, the server's: when ideas change, the script fetches
   this same page and swaps in the new cards (parsed with DOMParser, never assigned as markup). A
   column where the facilitator is editing a card waits until the card is left. */
(function () {
  "use strict";

  var C = window.Chemins;
  var configNode = document.getElementById("console-config");
  if (!C || !configNode) { return; }
  var config = JSON.parse(configNode.textContent);

  var view = {
    phones: document.getElementById("presence-phones"),
    participants: document.getElementById("presence-participants"),
    voters: document.getElementById("presence-voters"),
    results: document.getElementById("results"),
    wall: document.getElementById("wall"),
    ideaCount: document.getElementById("idea-count"),
    live: document.getElementById("live-state"),
    liveText: document.getElementById("live-text"),
    status: document.getElementById("step-status")
  };

  var initialStatus = null;
  var refreshTimer = null;
  var refreshing = false;
  var refreshAgain = false;

  function onStatus(status) {
    var labels = { online: "En direct", connecting: "Connexion…", offline: "Hors ligne — reconnexion…" };
    view.live.hidden = false;
    view.live.className = "live-state " + status;
    view.liveText.textContent = labels[status];
  }

  function showPresence(presence) {
    if (!presence) { return; }
    view.phones.textContent = String(presence.phones);
    view.participants.textContent = String(presence.participants);
    if (presence.step_id === config.step_id) { view.voters.textContent = String(presence.voters); }
  }

  function ourStep(steps) {
    return (steps || []).filter(function (s) { return s.id === config.step_id; })[0] || null;
  }

  function noticeReload(text) {
    if (document.getElementById("reload-notice")) { return; }
    var button = C.el("button", { type: "button", className: "small", text: "Recharger la page" });
    button.addEventListener("click", function () { window.location.reload(); });
    var notice = C.el("div", { id: "reload-notice", className: "notice warning", role: "status" }, [
      C.el("p", { text: text }), button
    ]);
    var main = document.getElementById("contenu");
    main.insertBefore(notice, main.firstChild);
  }

  // --- The idea wall ------------------------------------------------------------------------

  function busy(node) {
    if (!node) { return false; }
    var open = node.querySelector("details[open]");
    return !!open || node.contains(document.activeElement);
  }

  function scheduleRefresh() {
    window.clearTimeout(refreshTimer);
    refreshTimer = window.setTimeout(refreshWall, 300);
  }

  function refreshWall() {
    if (!view.wall) { return; }
    if (refreshing) { refreshAgain = true; return; }
    refreshing = true;
    window.fetch(config.page_url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        swapColumns(page);
        var count = page.getElementById("idea-count");
        if (count && view.ideaCount) { view.ideaCount.textContent = count.textContent; }
        var list = page.getElementById("regroupements");
        var current = document.getElementById("regroupements");
        if (list && current) { current.replaceWith(document.importNode(list, true)); }
      })
      .catch(function () { /* the next change (or a reload) brings the wall back */ })
      .then(function () {
        refreshing = false;
        if (refreshAgain) { refreshAgain = false; scheduleRefresh(); }
      });
  }

  function swapColumns(page) {
    var fresh = page.getElementById("wall");
    if (!fresh) { return; }
    Array.prototype.forEach.call(fresh.querySelectorAll("[data-column-id]"), function (column) {
      var id = column.getAttribute("data-column-id");
      var mine = view.wall.querySelector('[data-column-id="' + CSS.escape(id) + '"]');
      if (!mine) { return; }
      var list = mine.querySelector(".idea-list");
      var cards = Array.prototype.slice.call(list.children);
      if (cards.some(busy)) {
        // The facilitator is editing a card of this column: wait until it is left.
        refreshAgain = true;
        return;
      }
      var newList = document.importNode(column.querySelector(".idea-list"), true);
      list.replaceWith(newList);
    });
  }

  if (view.wall) {
    view.wall.addEventListener("focusout", function () {
      if (refreshAgain) { scheduleRefresh(); }
    });
    view.wall.addEventListener("toggle", function () {
      if (refreshAgain) { scheduleRefresh(); }
    }, true);
  }

  // --- Messages -----------------------------------------------------------------------------

  function onMessage(message) {
    switch (message.type) {
      case "welcome":
      case "state":
        showPresence(message.state.presence);
        var step = ourStep(message.state.steps);
        if (step) {
          if (initialStatus === null) { initialStatus = step.status; }
          else if (step.status !== initialStatus) { noticeReload("L'étape a changé d'état."); }
        }
        if (message.state.results && message.state.results.step_id === config.step_id && view.results) {
          C.render(view.results, message.state.results);
        }
        if (view.wall && message.type === "state") { scheduleRefresh(); }
        break;
      case "presence":
        showPresence(message.presence);
        break;
      case "results":
        if (message.step_id === config.step_id && view.results) { C.render(view.results, message.tally); }
        break;
      case "ideas_delta":
        if (message.step_id === config.step_id) { scheduleRefresh(); }
        break;
      case "step_changed":
        var changed = ourStep(message.steps);
        if (changed && initialStatus !== null && changed.status !== initialStatus) {
          noticeReload("L'étape est maintenant « " + ({ pending: "à venir", open: "en cours", closed: "close" })[changed.status] + " ».");
        }
        break;
      default:
        break;
    }
  }

  new C.LiveSocket({
    role: "facilitator",
    workshopId: config.workshop_id,
    path: config.ws_path,
    onMessage: onMessage,
    onStatus: onStatus
  });
})();
