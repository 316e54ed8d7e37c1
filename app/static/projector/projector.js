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

  var KIND_LABELS = {
    brainstorm: "Remue-méninges",
    dot_vote: "Vote à gommettes",
    ranking: "Classement",
    rating: "Notation",
    choice: "Choix"
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

  function stepStatusText(step) {
    if (!step) { return ""; }
    if (step.status === "closed") { return "Résultats définitifs"; }
    if (step.status === "open") { return step.kind === "brainstorm" ? "Idées en direct" : "Vote en cours · résultats en direct"; }
    return "À venir";
  }

  function renderHeader() {
    var step = state.current_step;
    if (!step) {
      view.kind.textContent = state.workshop.title;
      view.title.textContent = state.workshop.status === "closed"
        ? "L'atelier est terminé, merci !" : "Bienvenue !";
      view.prompt.textContent = state.workshop.status === "closed"
        ? "Les résultats seront repris dans le compte-rendu."
        : "Rejoignez l'atelier avec votre téléphone : scannez le QR code ou saisissez le code.";
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
    } else {
      C.clear(view.results);
      view.results.appendChild(C.el("p", { className: "empty", text: "En attente des premiers votes…" }));
    }
  }

  function renderPresence() {
    var presence = state.presence;
    if (!presence) { return; }
    view.participants.textContent = String(presence.participants);
    view.participantsLabel.textContent = presence.participants <= 1 ? "participant" : "participants";
    var step = state.current_step;
    if (step && presence.step_id === step.id && step.status !== "pending") {
      view.voters.textContent = step.kind === "brainstorm"
        ? C.plural(presence.voters, "a contribué", "ont contribué")
        : C.plural(presence.voters, "a voté", "ont voté");
    } else {
      view.voters.textContent = C.plural(presence.phones, "téléphone connecté", "téléphones connectés");
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
    var labels = { online: "En direct", connecting: "Connexion…", offline: "Hors ligne — reconnexion…" };
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
