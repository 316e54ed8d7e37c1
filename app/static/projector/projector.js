/* Chemins — the projector page: the current step and its live results, the join code and
   the participant count. Listens on /ws with the role "projector"; draws with the shared
   renderers of results.js (textContent only). The page is first drawn by the server, so
   it is complete even before the connection is up. */
(function () {
  "use strict";

  var C = window.Chemins;
  var configNode = document.getElementById("projector-config");
  if (!C || !configNode) { return; }
  var config = JSON.parse(configNode.textContent);

  // Texts in French, shown in the page's language by results.js's t() (its catalogue).
  var t = C.t;
  var tn = C.tn;

  var KIND_LABELS = {
    brainstorm: t("Remue-méninges"),
    dot_vote: t("Vote à gommettes"),
    ranking: t("Classement"),
    rating: t("Notation"),
    choice: t("Choix")
  };

  var view = {
    kind: document.getElementById("step-kind"),
    title: document.getElementById("step-title"),
    prompt: document.getElementById("step-prompt"),
    status: document.getElementById("step-status"),
    results: document.getElementById("results"),
    participants: document.getElementById("participant-count"),
    participantsLabel: document.getElementById("participant-label"),
    voters: document.getElementById("voter-count"),
    live: document.getElementById("live-state"),
    liveText: document.getElementById("live-text")
  };

  var state = null;
  var ideas = [];
  var BASE_SIZE_REM = 1.1;
  var MIN_SIZE_REM = 0.7;

  /* Shrink the results' text until they fit the screen (a projector cannot scroll); the
     page is drawn for 1280×720 and grows on larger screens. */
  function fit() {
    var box = view.results;
    if (window.getComputedStyle(document.body).overflowY !== "hidden") {
      box.style.fontSize = "";
      return;
    }
    var size = BASE_SIZE_REM;
    box.style.fontSize = size + "rem";
    while (box.scrollHeight > box.clientHeight + 1 && size > MIN_SIZE_REM) {
      size -= 0.05;
      box.style.fontSize = size.toFixed(2) + "rem";
    }
  }

  /* The voter count of the current step when the server keeps its tally from the
     projector (results_hidden), else null. */
  function hiddenResults() {
    var step = state.current_step;
    var hidden = state.results_hidden;
    if (!step || !hidden || hidden.step_id !== step.id) { return null; }
    if (state.results && state.results.step_id === step.id) { return null; }
    return hidden;
  }

  function hiddenText(step) {
    return step.results_visibility === "on_reveal"
      ? t("Résultats masqués jusqu'à leur révélation") : t("Résultats masqués jusqu'à la fin du vote");
  }

  function stepStatusText(step) {
    if (!step) { return ""; }
    var hidden = hiddenResults();
    if (step.status === "closed") { return hidden ? t("Vote clos") : t("Résultats définitifs"); }
    if (step.status === "open") {
      if (step.kind === "brainstorm") { return t("Idées en direct"); }
      return hidden ? t("Vote en cours") : t("Vote en cours · résultats en direct");
    }
    return t("À venir");
  }

  function renderHeader() {
    var step = state.current_step;
    if (!step) {
      view.kind.textContent = state.workshop.title;
      view.title.textContent = state.workshop.status === "closed"
        ? t("L'atelier est terminé, merci !") : t("Bienvenue !");
      view.prompt.textContent = state.workshop.status === "closed"
        ? t("Les résultats seront repris dans le compte-rendu.")
        : t("Rejoignez l'atelier avec votre téléphone : scannez le QR code ou saisissez le code.");
      view.status.textContent = "";
      return;
    }
    view.kind.textContent = KIND_LABELS[step.kind] || step.kind;
    view.title.textContent = step.title;
    view.prompt.textContent = step.prompt || "";
    view.status.textContent = stepStatusText(step);
  }

  function renderResults() {
    draw();
    fit();
  }

  function draw() {
    var step = state.current_step;
    if (!step) {
      C.clear(view.results);
      return;
    }
    if (step.kind === "brainstorm") {
      var contributors = state.presence && state.presence.step_id === step.id ? state.presence.voters : null;
      C.renderWall(view.results, step, ideas, contributors);
    } else if (state.results && state.results.step_id === step.id) {
      C.render(view.results, state.results);
    } else if (hiddenResults()) {
      C.renderHidden(view.results, hiddenResults().voters, hiddenText(step));
    } else {
      C.clear(view.results);
      view.results.appendChild(C.el("p", { className: "empty", text: t("En attente des premiers votes…") }));
    }
  }

  function renderPresence() {
    var presence = state.presence;
    if (!presence) { return; }
    view.participants.textContent = String(presence.participants);
    view.participantsLabel.textContent = tn("participant", "participants", presence.participants);
    var step = state.current_step;
    if (step && presence.step_id === step.id && step.status !== "pending") {
      view.voters.textContent = step.kind === "brainstorm"
        ? tn("%(num)d a contribué", "%(num)d ont contribué", presence.voters)
        : tn("%(num)d a voté", "%(num)d ont voté", presence.voters);
    } else {
      view.voters.textContent = tn("%(num)d téléphone connecté", "%(num)d téléphones connectés", presence.phones);
    }
  }

  function renderAll() {
    renderHeader();
    renderResults();
    renderPresence();
  }

  function onMessage(message) {
    switch (message.type) {
      case "welcome":
      case "state":
        state = message.state;
        ideas = (state.ideas || []).slice();
        renderAll();
        break;
      case "results":
        if (!state || !state.current_step || message.step_id !== state.current_step.id) { return; }
        state.results = message.tally;
        state.results_hidden = null;
        renderHeader();
        renderResults();
        break;
      case "results_hidden":
        // The server keeps this step's tally from the projector: only how many voted.
        if (!state || !state.current_step || message.step_id !== state.current_step.id) { return; }
        state.results = null;
        state.results_hidden = { step_id: message.step_id, voters: message.voters };
        renderHeader();
        renderResults();
        break;
      case "ideas_delta":
        if (!state) { return; }
        ideas = C.applyIdeasDelta(ideas, message);
        renderResults();
        break;
      case "step_changed":
        if (!state) { return; }
        var before = state.current_step ? state.current_step.id : null;
        state.workshop.status = message.workshop_status;
        state.current_step = message.current_step;
        state.steps = message.steps;
        var after = message.current_step ? message.current_step.id : null;
        renderHeader();
        if (before !== after) {
          // Another step: its results and ideas come with a fresh state.
          state.results = null;
          state.results_hidden = null;
          ideas = [];
          live.send({ type: "get_state" });
        }
        renderResults();
        break;
      case "presence":
        if (!state) { return; }
        state.presence = message.presence;
        renderPresence();
        if (state.current_step && state.current_step.kind === "brainstorm") { renderResults(); }
        break;
      default:
        break;
    }
  }

  function onStatus(status) {
    var labels = { online: t("En direct"), connecting: t("Connexion…"), offline: t("Hors ligne — reconnexion…") };
    view.live.className = "live-state " + status;
    view.liveText.textContent = labels[status];
  }

  fit();
  window.addEventListener("resize", fit);

  var live = new C.LiveSocket({
    role: "projector",
    workshopId: config.workshop_id,
    path: config.ws_path,
    onMessage: onMessage,
    onStatus: onStatus
  });
})();
