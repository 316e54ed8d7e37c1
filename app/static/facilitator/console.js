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
    status: document.getElementById("step-status"),
    visibility: document.getElementById("results-visibility"),
    revealed: document.getElementById("results-revealed"),
    revealForm: document.getElementById("reveal-form")
  };

  var VISIBILITY_LABELS = { live: "en direct", after_vote: "après avoir voté", on_reveal: "à la révélation" };

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

  /* The results' mode, as changed from another tab or another console. */
  function showVisibility(step) {
    if (!step || !step.results_visibility || !view.visibility) { return; }
    view.visibility.textContent = VISIBILITY_LABELS[step.results_visibility] || step.results_visibility;
    if (view.revealed) { view.revealed.hidden = !step.results_revealed; }
    if (view.revealForm && step.results_revealed) { view.revealForm.hidden = true; }
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
        showVisibility(step);
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
        showVisibility(changed);
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

/* --- The pathway editor's pages (app/editor) ---------------------------------------------
   Enhancements only: every form and filter works without this script. Here the diagram's
   filters apply as soon as they change (the SVG is fetched again and swapped in, parsed
   with DOMParser, never assigned as markup), the diagram can be seen at its real size,
   the projector mode goes full screen and follows a clicker's arrow keys, and leaving a
   form with unsaved typing asks first. */
(function () {
  "use strict";

  // --- Diagram filters, applied live -------------------------------------------------------
  var panel = document.querySelector("[data-svg-url]");
  var filters = document.querySelector("[data-diagram-filters]");
  var canvas = document.querySelector("[data-diagram-canvas]");
  if (panel && filters && canvas && window.fetch && window.URLSearchParams) {
    var apply = filters.querySelector("[data-apply]");
    if (apply) { apply.hidden = true; }
    var pending = null;
    filters.addEventListener("change", function () {
      var query = new URLSearchParams(new FormData(filters));
      var current = panel.getAttribute("data-current");
      var url = panel.getAttribute("data-svg-url") + "?" + query.toString() +
        (current ? "&actuel=" + encodeURIComponent(current) : "");
      if (pending) { pending.abort(); }
      pending = new AbortController();
      canvas.setAttribute("aria-busy", "true");
      window.fetch(url, { credentials: "same-origin", signal: pending.signal })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.text();
        })
        .then(function (text) {
          var svg = new DOMParser().parseFromString(text, "image/svg+xml").documentElement;
          if (!svg || svg.nodeName.toLowerCase() !== "svg") { throw new Error("svg"); }
          canvas.replaceChildren(document.importNode(svg, true));
          window.history.replaceState(null, "", window.location.pathname + "?" + query.toString() + "#schema");
        })
        .catch(function (error) {
          // A filter the server refuses (or no network): let the form explain it.
          if (error && error.name === "AbortError") { return; }
          filters.submit();
        })
        .then(function () { canvas.removeAttribute("aria-busy"); });
    });
  }

  // --- Real size or fitted to the panel ------------------------------------------------------
  if (panel && canvas) {
    var head = panel.querySelector(".panel-head");
    var zoom = document.createElement("button");
    zoom.type = "button";
    zoom.className = "small secondary";
    zoom.setAttribute("aria-pressed", "false");
    zoom.textContent = "Taille réelle";
    zoom.addEventListener("click", function () {
      var actual = canvas.classList.toggle("actual-size");
      zoom.setAttribute("aria-pressed", actual ? "true" : "false");
      zoom.textContent = actual ? "Ajuster au cadre" : "Taille réelle";
    });
    var tools = document.createElement("div");
    tools.className = "diagram-tools";
    tools.appendChild(zoom);
    var projector = head && head.querySelector("a");
    if (projector) { tools.appendChild(projector); }
    if (head) { head.appendChild(tools); }
  }

  // --- Projector mode: full screen, arrows move between pathways ----------------------------
  var fullscreen = document.querySelector("[data-fullscreen]");
  if (fullscreen && document.documentElement.requestFullscreen) {
    fullscreen.hidden = false;
    fullscreen.addEventListener("click", function () {
      if (document.fullscreenElement) { document.exitFullscreen(); }
      else { document.documentElement.requestFullscreen(); }
    });
  }
  var tabs = document.querySelectorAll(".pathway-tabs a");
  if (tabs.length) {
    document.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey) { return; }
      var step = { ArrowRight: 1, PageDown: 1, ArrowLeft: -1, PageUp: -1 }[event.key];
      if (!step) { return; }
      var index = 0;
      Array.prototype.forEach.call(tabs, function (tab, i) {
        if (tab.getAttribute("aria-current") === "page") { index = i; }
      });
      var next = tabs[(index + step + tabs.length) % tabs.length];
      event.preventDefault();
      window.location.assign(next.href);
    });
  }

  // --- On a phone the pages scroll in one row: bring the current one into view ---------------
  var navRow = document.querySelector(".nav-groups");
  var currentPage = navRow && navRow.querySelector("[aria-current='page']");
  if (currentPage && navRow.scrollWidth > navRow.clientWidth) {
    // Only the row scrolls sideways: the page itself (and any #anchor) stays put.
    var row = navRow.getBoundingClientRect();
    var link = currentPage.getBoundingClientRect();
    navRow.scrollLeft += link.left - row.left - (row.width - link.width) / 2;
  }

  // --- Unsaved typing is not lost by leaving the page -----------------------------------------
  var dirty = false;
  Array.prototype.forEach.call(document.querySelectorAll("form[data-keep-typed]"), function (form) {
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });
})();
