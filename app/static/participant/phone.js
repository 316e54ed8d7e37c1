/* Chemins — the participant's phone page.

   Speaks the websocket protocol of docs/protocol.md (role "phone"). Everything the page
   shows is built with DOM methods and textContent: no text from the server or from other
   participants is ever parsed as HTML.

   What it guarantees:
   - the participant's token is kept in localStorage, so a reload is the same person;
   - a ballot being filled in is a local draft (kept in localStorage too): updates from the
     server (results, ideas, counts) never rebuild it;
   - a submission is confirmed only when the server's "ack" for its client_id arrives;
     unacknowledged messages are kept in localStorage (a reload loses none of them) and
     sent again, with their client_id, after a reconnection: the server counts a resent
     client_id once, and an acknowledged message is never sent again;
   - updates carry a sequence number: one older than what the page shows is dropped;
   - after a wifi drop the page reconnects by itself (exponential back-off with jitter),
     says so, and redraws the current state the server sends back. */
(function () {
  "use strict";

  var PROTOCOL = 1;
  var PING_EVERY_MS = 20000;
  var SILENCE_LIMIT_MS = 50000;
  var BACKOFF_BASE_MS = 500;
  var BACKOFF_MAX_MS = 15000;
  var NOT_YET_OPEN_RETRY_MS = 8000;
  // Unacknowledged messages older than this are not resent after a reload.
  var OUTBOX_MAX_AGE_MS = 12 * 3600 * 1000;
  // Errors after which reconnecting cannot help: the page says why and stops.
  var FATAL_ERRORS = {
    unknown_workshop: true,
    workshop_closed: true,
    protocol_version: true,
    bad_code: true
  };
  /* Translations. The page's catalogue (app/i18n_messages.py) is JSON in
     <script type="application/json" id="messages">: French text → text in the page's
     language. A text it lacks is shown as written, in French. Placeholders are Python's:
     t("Votre idée dépasse %(max)s caractères.", { max: 280 }). */
  var LANG = document.documentElement.lang || "fr";
  // The server's own error messages are French (app/i18n.py, SOURCE_LANGUAGE).
  var SERVER_LANG = "fr";
  var MESSAGES = (function () {
    var node = document.getElementById("messages");
    try { return node ? JSON.parse(node.textContent) || {} : {}; } catch (e) { return {}; }
  })();
  var PLURAL_RULES = window.Intl && window.Intl.PluralRules ? new window.Intl.PluralRules(LANG) : null;

  function format(text, params) {
    return text.replace(/%(?:\((\w+)\))?[sd%]/g, function (match, name) {
      if (match === "%%") { return "%"; }
      return params && name !== undefined && params[name] !== undefined ? String(params[name]) : match;
    });
  }

  function t(text, params) {
    var found = MESSAGES[text];
    return format(typeof found === "string" ? found : text, params);
  }

  /* tn("%(num)d votant", "%(num)d votants", n): the form the page's language takes for n
     (French: 0 and 1 singular; English: 1 only). %(num)d is n. */
  function tn(one, other, count, params) {
    var forms = MESSAGES[one];
    if (!Array.isArray(forms) || forms.length !== 2) { forms = [one, other]; }
    var singular = PLURAL_RULES ? PLURAL_RULES.select(count) === "one" : count === 1;
    var values = { num: count };
    Object.keys(params || {}).forEach(function (name) { values[name] = params[name]; });
    return format(singular ? forms[0] : forms[1], values);
  }

  /* An error from the server, in the page's language: its message is French and says
     exactly what went wrong; another language shows the translation of its code. */
  function errorText(message) {
    var translated = MESSAGES["error." + message.code];
    if (LANG !== SERVER_LANG && typeof translated === "string") { return translated; }
    return message.message;
  }

  var KIND_LABELS = {
    brainstorm: t("Remue-méninges"),
    dot_vote: t("Vote à gommettes"),
    ranking: t("Classement"),
    rating: t("Notation"),
    choice: t("Choix")
  };

  var configNode = document.getElementById("phone-config");
  if (!configNode) { return; }
  var config = JSON.parse(configNode.textContent);
  var code = config.code;

  var view = {
    step: document.getElementById("step"),
    join: document.getElementById("join"),
    joinForm: document.getElementById("join-form"),
    connection: document.getElementById("connection"),
    subtitle: document.getElementById("step-subtitle"),
    toast: document.getElementById("toast"),
    live: document.getElementById("announce")
  };

  var app = {
    socket: null,
    seq: -1,
    participant: null,
    state: null,
    renderedStepKey: null,
    draft: null,
    draftSent: null,
    submitState: "",
    outbox: {},
    attempt: 0,
    reconnectTimer: null,
    pingTimer: null,
    lastHeard: 0,
    fatal: false,
    column: null,
    upvoted: {},
    pendingUpvotes: {},
    ideas: [],
    parts: {}
  };

  // --- Small helpers ---------------------------------------------------------------------

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (name) {
        var value = attrs[name];
        if (value === null || value === undefined || value === false) { return; }
        if (name === "text") { node.textContent = value; }
        else if (name === "className") { node.className = value; }
        else if (name.slice(0, 2) === "on") { node.addEventListener(name.slice(2), value); }
        else { node.setAttribute(name, value === true ? "" : String(value)); }
      });
    }
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) { return; }
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function clear(node) {
    while (node.firstChild) { node.removeChild(node.firstChild); }
  }

  function newId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return (b + 256).toString(16).slice(1);
    }).join("");
  }

  var store = {
    get: function (key) {
      try { return window.localStorage.getItem("chemins:" + code + ":" + key); }
      catch (e) { return null; }
    },
    set: function (key, value) {
      try { window.localStorage.setItem("chemins:" + code + ":" + key, value); }
      catch (e) { /* private mode or full storage: the page still works, without memory */ }
    },
    remove: function (key) {
      try { window.localStorage.removeItem("chemins:" + code + ":" + key); }
      catch (e) { /* see above */ }
    }
  };

  function announce(text) {
    view.live.textContent = "";
    window.setTimeout(function () { view.live.textContent = text; }, 50);
  }

  var toastTimer = null;
  function toast(text, isError) {
    view.toast.textContent = text;
    view.toast.className = "toast" + (isError ? " error" : "");
    view.toast.hidden = false;
    window.clearTimeout(toastTimer);
    toastTimer = window.setTimeout(function () { view.toast.hidden = true; }, 3500);
  }

  function sameJson(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

  // --- Connection ------------------------------------------------------------------------

  function setConnection(status) {
    var labels = {
      online: t("En ligne"),
      connecting: t("Connexion…"),
      offline: t("Hors ligne")
    };
    view.connection.className = "connection " + status;
    view.connection.textContent = labels[status];
    document.body.setAttribute("data-connection", status);
  }

  function socketUrl() {
    var scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    return scheme + "//" + window.location.host + config.ws_path;
  }

  function connect() {
    if (app.fatal) { return; }
    window.clearTimeout(app.reconnectTimer);
    setConnection("connecting");
    var socket;
    try { socket = new WebSocket(socketUrl()); }
    catch (e) { scheduleReconnect(); return; }
    app.socket = socket;
    socket.addEventListener("open", function () {
      app.lastHeard = Date.now();
      var hello = { type: "hello", protocol: PROTOCOL, role: "phone", code: code };
      var token = store.get("token");
      if (token) { hello.token = token; }
      if (app.seq >= 0) { hello.last_seq = app.seq; }
      socket.send(JSON.stringify(hello));
    });
    socket.addEventListener("message", function (event) {
      app.lastHeard = Date.now();
      var message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      handle(message);
    });
    socket.addEventListener("close", function () {
      if (app.socket !== socket) { return; }
      app.socket = null;
      setConnection("offline");
      scheduleReconnect();
    });
  }

  function scheduleReconnect() {
    if (app.fatal) { return; }
    window.clearTimeout(app.reconnectTimer);
    var ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * Math.pow(2, app.attempt));
    // Half fixed, half random: phones dropped together do not all come back together.
    var delay = ceiling / 2 + Math.random() * ceiling / 2;
    app.attempt += 1;
    app.reconnectTimer = window.setTimeout(connect, delay);
  }

  function reconnectNow() {
    if (app.fatal) { return; }
    if (app.socket && app.socket.readyState <= 1) { return; }
    app.attempt = 0;
    connect();
  }

  function send(message) {
    if (app.socket && app.socket.readyState === 1) {
      app.socket.send(JSON.stringify(message));
      return true;
    }
    return false;
  }

  function sendTracked(message) {
    message.client_id = newId();
    app.outbox[message.client_id] = message;
    saveOutbox();
    send(message);
    return message.client_id;
  }

  // The outbox lives in localStorage too: a ballot sent just before the page was
  // reloaded (or the phone restarted the browser) is still resent, with its client_id.
  function saveOutbox() {
    if (Object.keys(app.outbox).length) {
      store.set("outbox", JSON.stringify({ at: Date.now(), messages: app.outbox }));
    } else {
      store.remove("outbox");
    }
  }

  function loadOutbox() {
    var saved = null;
    try { saved = JSON.parse(store.get("outbox") || "null"); } catch (e) { saved = null; }
    if (!saved || typeof saved.messages !== "object" || !(Date.now() - saved.at < OUTBOX_MAX_AGE_MS)) {
      store.remove("outbox");
      return;
    }
    Object.keys(saved.messages).forEach(function (clientId) {
      var message = saved.messages[clientId];
      if (!message || message.client_id !== clientId) { return; }
      app.outbox[clientId] = message;
      if (message.type === "upvote") { app.pendingUpvotes[message.idea_id] = true; }
    });
  }

  function dropFromOutbox(clientId) {
    var sent = app.outbox[clientId];
    if (sent) {
      delete app.outbox[clientId];
      saveOutbox();
    }
    return sent || null;
  }

  function resendOutbox() {
    Object.keys(app.outbox).forEach(function (clientId) { send(app.outbox[clientId]); });
  }

  function heartbeat() {
    if (!app.socket || app.socket.readyState !== 1) { return; }
    if (Date.now() - app.lastHeard > SILENCE_LIMIT_MS) {
      // The wifi died without closing the socket: close it to start reconnecting.
      app.socket.close();
      return;
    }
    send({ type: "ping" });
  }

  // --- Incoming messages ----------------------------------------------------------------

  function fresh(message) {
    if (typeof message.seq !== "number") { return true; }
    if (message.seq <= app.seq) { return false; }
    app.seq = message.seq;
    return true;
  }

  function handle(message) {
    switch (message.type) {
      case "welcome":
        app.attempt = 0;
        app.seq = message.seq;
        setConnection("online");
        onParticipant(message.participant);
        onState(message.state);
        resendOutbox();
        break;
      case "state":
        app.seq = message.seq;
        onState(message.state);
        break;
      case "ack":
        onAck(message);
        break;
      case "error":
        onError(message);
        break;
      case "results":
        if (fresh(message)) { onResults(message); }
        break;
      case "results_hidden":
        if (fresh(message)) { onResultsHidden(message); }
        break;
      case "ideas_delta":
        if (fresh(message)) { onIdeasDelta(message); }
        break;
      case "step_changed":
        if (fresh(message)) { onStepChanged(message); }
        break;
      case "presence":
        fresh(message);
        break;
      case "resync":
        send({ type: "get_state" });
        break;
      default:
        break;
    }
  }

  function onParticipant(participant) {
    app.participant = participant;
    if (!participant) { store.remove("token"); }
    if (participant && participant.token) {
      store.set("token", participant.token);
      view.join.hidden = true;
      view.step.hidden = false;
    } else {
      view.join.hidden = false;
      view.step.hidden = true;
    }
  }

  function onState(state) {
    app.state = state;
    app.ideas = (state.ideas || []).slice();
    app.upvoted = {};
    if (state.me && state.me.upvoted) {
      state.me.upvoted.forEach(function (id) { app.upvoted[id] = true; });
    }
    render();
  }

  function onStepChanged(message) {
    if (!app.state) { return; }
    var before = app.state.current_step;
    app.state.workshop.status = message.workshop_status;
    app.state.current_step = message.current_step;
    app.state.steps = message.steps;
    var step = message.current_step;
    if (!step || !app.state.results || app.state.results.step_id !== step.id) {
      app.state.results = null;
    }
    if (!step || !app.state.results_hidden || app.state.results_hidden.step_id !== step.id) {
      app.state.results_hidden = null;
    }
    if (step && before && before.id === step.id && !before.results_revealed && step.results_revealed) {
      announce(t("Les résultats sont dévoilés."));
    }
    if (!step || step.kind !== "brainstorm") { app.ideas = []; }
    render();
    if (step) { announce(t("Nouvelle étape : %(title)s", { title: step.title })); }
  }

  function onResults(message) {
    if (!app.state) { return; }
    app.state.results = message.tally;
    app.state.results_hidden = null;
    renderResults();
  }

  // The server keeps this step's tally from the phones for now: only how many voted.
  function onResultsHidden(message) {
    if (!app.state) { return; }
    app.state.results = null;
    app.state.results_hidden = { step_id: message.step_id, voters: message.voters };
    renderResults();
  }

  function onIdeasDelta(message) {
    var byId = {};
    app.ideas.forEach(function (idea, index) { byId[idea.id] = index; });
    (message.added || []).concat(message.changed || []).forEach(function (idea) {
      if (idea.hidden || idea.merged_into) {
        app.ideas = app.ideas.filter(function (other) { return other.id !== idea.id; });
        return;
      }
      if (byId[idea.id] !== undefined) { app.ideas[byId[idea.id]] = idea; }
      else { app.ideas.push(idea); }
      app.ideas.forEach(function (other, index) { byId[other.id] = index; });
    });
    var removed = {};
    (message.removed || []).forEach(function (id) { removed[id] = true; });
    app.ideas = app.ideas.filter(function (idea) { return !removed[idea.id]; });
    if (app.parts.ideaList) { renderIdeaList(); }
  }

  function onAck(message) {
    var sent = dropFromOutbox(message.client_id);
    if (!sent) { return; }
    if (sent.type === "join") {
      toast(t("Bienvenue ! Vous participez à l'atelier."));
    } else if (sent.type === "cast_ballot") {
      app.draftSent = JSON.parse(JSON.stringify(sent.ballot));
      if (app.state) {
        app.state.me = app.state.me || {};
        app.state.me.ballot = app.draftSent;
      }
      setSubmitState("ok", t("✓ Votre vote est enregistré. Vous pouvez le modifier tant que l'étape est ouverte."));
      toast(t("Votre vote est enregistré"));
      renderResults();
    } else if (sent.type === "post_idea") {
      store.remove("idea:" + sent.step_id);
      if (app.parts.ideaText && app.parts.ideaText.value.trim() === sent.text.trim()) {
        app.parts.ideaText.value = "";
        updateCounter();
      }
      setIdeaState("ok", t("✓ Votre idée est enregistrée."));
      toast(t("Votre idée est enregistrée"));
    } else if (sent.type === "upvote") {
      delete app.pendingUpvotes[sent.idea_id];
      if (sent.withdraw) { delete app.upvoted[sent.idea_id]; }
      else { app.upvoted[sent.idea_id] = true; }
      renderIdeaList();
    }
  }

  function onError(message) {
    var sent = message.client_id ? dropFromOutbox(message.client_id) : null;
    if (FATAL_ERRORS[message.code]) {
      app.fatal = true;
      showEnd(message.code === "workshop_closed" ? t("L'atelier est terminé") : t("Atelier indisponible"),
        errorText(message));
      if (app.socket) { app.socket.close(); }
      return;
    }
    if (message.code === "workshop_not_open") {
      // The facilitator has not opened the workshop yet: wait and ask again.
      showNotYetOpen(errorText(message));
      return;
    }
    if (message.code === "unknown_participant" || message.code === "not_joined") {
      store.remove("token");
      view.join.hidden = false;
      view.step.hidden = true;
    }
    if (sent && sent.type === "cast_ballot") {
      setSubmitState("error", errorText(message));
    } else if (sent && sent.type === "post_idea") {
      setIdeaState("error", errorText(message));
    } else if (sent && sent.type === "upvote") {
      delete app.pendingUpvotes[sent.idea_id];
      renderIdeaList();
      toast(errorText(message), true);
    } else {
      toast(errorText(message), true);
    }
  }

  // --- Drawing the page -----------------------------------------------------------------

  function showEnd(title, text) {
    clear(view.step);
    view.join.hidden = true;
    view.step.hidden = false;
    app.renderedStepKey = "end";
    app.parts = {};
    view.step.appendChild(el("div", { className: "card waiting" }, [
      el("h1", { text: title }),
      el("p", { text: text })
    ]));
    setConnection("offline");
  }

  function showNotYetOpen(text) {
    clear(view.step);
    view.join.hidden = true;
    view.step.hidden = false;
    app.renderedStepKey = "not-open";
    app.parts = {};
    view.step.appendChild(el("div", { className: "card waiting" }, [
      el("div", { className: "spinner", "aria-hidden": "true" }),
      el("h1", { text: t("L'atelier n'a pas encore commencé") }),
      el("p", { text: text + " " + t("Cette page se mettra à jour dès son ouverture.") })
    ]));
    var socket = app.socket;
    app.socket = null;
    if (socket) { socket.close(); }
    window.clearTimeout(app.reconnectTimer);
    app.reconnectTimer = window.setTimeout(connect, NOT_YET_OPEN_RETRY_MS * (0.75 + Math.random() / 2));
  }

  function render() {
    var state = app.state;
    if (!state) { return; }
    view.subtitle.textContent = state.workshop.title;
    if (state.workshop.status === "closed") {
      app.renderedStepKey = "closed";
      clear(view.step);
      view.step.appendChild(el("div", { className: "card waiting" }, [
        el("h1", { text: t("L'atelier est terminé") }),
        el("p", { text: t("Merci pour votre participation ! Les résultats seront repris dans le compte-rendu.") })
      ]));
      return;
    }
    var step = state.current_step;
    if (!step) {
      if (app.renderedStepKey === "waiting") { return; }
      app.renderedStepKey = "waiting";
      app.parts = {};
      clear(view.step);
      view.step.appendChild(el("div", { className: "card waiting" }, [
        el("div", { className: "spinner", "aria-hidden": "true" }),
        el("h1", { text: t("En attente de la prochaine étape") }),
        el("p", { text: t("L'écran changera de lui-même dès que l'animateur lancera l'étape suivante.") })
      ]));
      return;
    }
    var key = step.id + ":" + step.status;
    if (app.renderedStepKey === key) {
      renderResults();
      if (app.parts.ideaList) { renderIdeaList(); }
      return;
    }
    app.renderedStepKey = key;
    renderStep(step);
  }

  function stepHeader(step) {
    var children = [
      el("span", { className: "kind", text: KIND_LABELS[step.kind] || step.kind }),
      el("h1", { text: step.title })
    ];
    if (step.prompt) { children.push(el("p", { className: "prompt", text: step.prompt })); }
    if (step.status === "closed") {
      children.push(el("p", { className: "notice", text: t("Cette étape est close : merci pour vos réponses.") }));
    }
    return el("div", { className: "step-head" }, children);
  }

  function renderStep(step) {
    app.parts = {};
    clear(view.step);
    var closed = step.status !== "open";
    var card = el("div", { className: "card" }, [stepHeader(step)]);
    view.step.appendChild(card);
    if (step.kind === "brainstorm") {
      renderBrainstorm(step, card, closed);
    } else {
      loadDraft(step);
      var form = el("form", { className: "ballot", novalidate: true, onsubmit: function (event) {
        event.preventDefault();
        submitBallot(step);
      } });
      card.appendChild(form);
      var builders = { dot_vote: buildDotVote, ranking: buildRanking, rating: buildRating, choice: buildChoice };
      (builders[step.kind] || function () {})(step, form, closed);
      if (!closed) { form.appendChild(submitBar()); }
      refreshSubmitState();
    }
    // The results table's caption names the region; no label before any result exists.
    var results = el("section", { className: "my-results" });
    app.parts.results = results;
    view.step.appendChild(results);
    renderResults();
  }

  // Drafts --------------------------------------------------------------------------------

  function emptyBallot(step) {
    if (step.kind === "dot_vote") { return { kind: "dot_vote", dots: {} }; }
    if (step.kind === "ranking") {
      return { kind: "ranking", order: step.options.map(function (o) { return o.id; }) };
    }
    if (step.kind === "rating") { return { kind: "rating", scores: {} }; }
    return { kind: "choice", choices: [], comment: null };
  }

  function loadDraft(step) {
    var saved = store.get("draft:" + step.id);
    var serverBallot = app.state.me && app.state.me.ballot && app.state.me.ballot.kind === step.kind
      ? app.state.me.ballot : null;
    app.draftSent = serverBallot ? JSON.parse(JSON.stringify(serverBallot)) : null;
    var draft = null;
    if (saved) {
      try { draft = JSON.parse(saved); } catch (e) { draft = null; }
    }
    if (!draft || draft.kind !== step.kind) {
      draft = serverBallot ? JSON.parse(JSON.stringify(serverBallot)) : emptyBallot(step);
    }
    if (step.kind === "ranking") {
      // Options the facilitator added since the draft was saved go to the end.
      var known = {};
      draft.order = draft.order.filter(function (id) {
        var keep = step.options.some(function (o) { return o.id === id; }) && !known[id];
        known[id] = true;
        return keep;
      });
      step.options.forEach(function (o) { if (!known[o.id]) { draft.order.push(o.id); } });
    }
    app.draft = draft;
    app.submitState = app.draftSent && sameJson(app.draftSent, draft) ? "sent" : "";
  }

  function draftChanged(step) {
    store.set("draft:" + step.id, JSON.stringify(app.draft));
    refreshSubmitState();
  }

  // Submit bar ----------------------------------------------------------------------------

  function submitBar() {
    var button = el("button", { type: "submit", text: t("Envoyer mon vote") });
    var status = el("p", { className: "state", role: "status", "aria-live": "polite" });
    app.parts.submit = button;
    app.parts.submitStatus = status;
    return el("div", { className: "submit-bar" }, [el("div", { className: "inner" }, [status, button])]);
  }

  function setSubmitState(kind, text) {
    if (!app.parts.submitStatus) { return; }
    app.parts.submitStatus.className = "state" + (kind ? " " + kind : "");
    app.parts.submitStatus.textContent = text;
  }

  function refreshSubmitState() {
    if (!app.parts.submit) { return; }
    var saved = app.draftSent && sameJson(app.draftSent, app.draft);
    app.parts.submit.textContent = app.draftSent ? t("Modifier mon vote") : t("Envoyer mon vote");
    if (saved) {
      setSubmitState("ok", t("✓ Votre vote est enregistré."));
    } else if (app.draftSent) {
      setSubmitState("", t("Modifications non envoyées."));
    } else {
      setSubmitState("", "");
    }
  }

  function submitBallot(step) {
    if (step.status !== "open") { return; }
    var ballot = JSON.parse(JSON.stringify(app.draft));
    if (ballot.kind === "choice" && !ballot.comment) { ballot.comment = null; }
    // A ballot still waiting for its ack is replaced, not queued behind the new one.
    Object.keys(app.outbox).forEach(function (id) {
      if (app.outbox[id].type === "cast_ballot") { dropFromOutbox(id); }
    });
    sendTracked({ type: "cast_ballot", step_id: step.id, ballot: ballot });
    setSubmitState("", app.socket && app.socket.readyState === 1
      ? t("Envoi en cours…")
      : t("Hors ligne : votre vote partira dès le retour de la connexion."));
  }

  // Dot vote ------------------------------------------------------------------------------

  function buildDotVote(step, form, closed) {
    var remaining = el("strong", {});
    var budget = el("div", { className: "budget", "aria-live": "polite" }, [
      el("span", {}, [
        el("span", { className: "budget-label", text: t("Gommettes restantes") }),
        el("small", { text: tn("%(num)d gommette au plus par option", "%(num)d gommettes au plus par option",
          step.max_per_option) })
      ]),
      remaining
    ]);
    form.appendChild(budget);
    var list = el("ul", { className: "option-list" });
    var rows = [];
    step.options.forEach(function (option) {
      var count = el("output", { "aria-hidden": "true" });
      var minus = el("button", { type: "button", className: "secondary", text: "−",
        "aria-label": t("Retirer une gommette de « %(label)s »", { label: option.label }) });
      var plus = el("button", { type: "button", text: "+",
        "aria-label": t("Ajouter une gommette à « %(label)s »", { label: option.label }) });
      var dots = el("span", { className: "dots", "aria-hidden": "true" });
      var label = el("span", { className: "label", text: option.label });
      var item = el("li", { className: "option stacked" }, [
        label, el("span", { className: "option-controls" }, [dots, el("span", { className: "stepper" }, [minus, count, plus])])
      ]);
      list.appendChild(item);
      rows.push({ option: option, count: count, minus: minus, plus: plus, dots: dots, item: item });
      minus.addEventListener("click", function () { change(option.id, -1); });
      plus.addEventListener("click", function () { change(option.id, +1); });
    });
    form.appendChild(list);

    function spent() {
      return Object.keys(app.draft.dots).reduce(function (sum, id) { return sum + app.draft.dots[id]; }, 0);
    }
    function change(optionId, delta) {
      if (closed) { return; }
      var current = app.draft.dots[optionId] || 0;
      var next = current + delta;
      if (next < 0 || next > step.max_per_option || (delta > 0 && spent() >= step.budget)) {
        announce(delta > 0 ? t("Impossible d'ajouter une gommette ici.") : t("Aucune gommette à retirer."));
        return;
      }
      if (next === 0) { delete app.draft.dots[optionId]; } else { app.draft.dots[optionId] = next; }
      update();
      draftChanged(step);
      announce(t("%(dots)s sur « %(label)s », %(left)s.", {
        dots: tn("%(num)d gommette", "%(num)d gommettes", next),
        label: step.options.filter(function (o) { return o.id === optionId; })[0].label,
        left: tn("%(num)d restante", "%(num)d restantes", step.budget - spent())
      }));
    }
    function update() {
      var left = step.budget - spent();
      remaining.textContent = left + " / " + step.budget;
      rows.forEach(function (row) {
        var n = app.draft.dots[row.option.id] || 0;
        row.count.textContent = String(n);
        row.item.className = "option stacked" + (n > 0 ? " chosen" : "");
        // aria-disabled rather than disabled: the focused button keeps the focus.
        row.minus.setAttribute("aria-disabled", closed || n === 0 ? "true" : "false");
        row.plus.setAttribute("aria-disabled", closed || n >= step.max_per_option || left <= 0 ? "true" : "false");
        clear(row.dots);
        for (var i = 0; i < n; i += 1) { row.dots.appendChild(el("span", { className: "dot" })); }
      });
    }
    update();
  }

  // Ranking -------------------------------------------------------------------------------

  function buildRanking(step, form, closed) {
    form.appendChild(el("p", { className: "hint", text:
      t("Classez les options de la plus importante (1) à la moins importante avec les flèches.") }));
    var list = el("ol", { className: "option-list" });
    form.appendChild(list);
    var labels = {};
    step.options.forEach(function (o) { labels[o.id] = o.label; });

    function draw(focusId, focusDirection) {
      clear(list);
      app.draft.order.forEach(function (id, index) {
        var up = el("button", { type: "button", className: "secondary", text: "↑",
          "aria-label": t("Monter « %(label)s »", { label: labels[id] }),
          "aria-disabled": closed || index === 0 ? "true" : "false",
          "data-id": id, "data-direction": "up" });
        var down = el("button", { type: "button", className: "secondary", text: "↓",
          "aria-label": t("Descendre « %(label)s »", { label: labels[id] }),
          "aria-disabled": closed || index === app.draft.order.length - 1 ? "true" : "false",
          "data-id": id, "data-direction": "down" });
        up.addEventListener("click", function () { move(id, -1); });
        down.addEventListener("click", function () { move(id, +1); });
        list.appendChild(el("li", { className: "option stacked" }, [
          el("span", { className: "label", text: labels[id] }),
          el("span", { className: "option-controls" }, [
            el("span", { className: "position", "aria-hidden": "true", text: String(index + 1) }),
            el("span", { className: "mover" }, [up, down])
          ])
        ]));
      });
      if (focusId) {
        var target = list.querySelector('button[data-id="' + CSS.escape(focusId) + '"][data-direction="' + focusDirection + '"]');
        if (target) { target.focus(); }
      }
    }
    function move(id, delta) {
      if (closed) { return; }
      var order = app.draft.order;
      var from = order.indexOf(id);
      var to = from + delta;
      if (to < 0 || to >= order.length) { return; }
      order.splice(from, 1);
      order.splice(to, 0, id);
      draw(id, delta < 0 ? "up" : "down");
      draftChanged(step);
      announce(t("« %(label)s » est maintenant en position %(position)s sur %(count)s.",
        { label: labels[id], position: to + 1, count: order.length }));
    }
    draw(null, null);
  }

  // Rating --------------------------------------------------------------------------------

  function buildRating(step, form, closed) {
    var scale = [];
    for (var n = step.scale_min; n <= step.scale_max; n += 1) { scale.push(n); }
    step.options.forEach(function (option, optionIndex) {
      var box = el("div", { className: "rating-option" }, [el("h2", { text: option.label })]);
      step.criteria.forEach(function (criterion, criterionIndex) {
        var name = "note-" + optionIndex + "-" + criterionIndex;
        var current = (app.draft.scores[option.id] || {})[criterion.id];
        var labels = scale.map(function (value) {
          var input = el("input", { type: "radio", name: name, value: String(value),
            checked: current === value, disabled: closed,
            "aria-label": t("%(value)s sur %(max)s", { value: value, max: step.scale_max }) });
          input.addEventListener("change", function () {
            app.draft.scores[option.id] = app.draft.scores[option.id] || {};
            app.draft.scores[option.id][criterion.id] = value;
            draftChanged(step);
          });
          return el("label", {}, [input, el("span", { "aria-hidden": "true", text: String(value) })]);
        });
        box.appendChild(el("fieldset", {}, [
          el("legend", { text: t("%(criterion)s — « %(option)s »", { criterion: criterion.label, option: option.label }),
            className: "visually-hidden" }),
          el("span", { className: "label", "aria-hidden": "true", text: criterion.label }),
          el("div", { className: "scale" }, labels),
          el("div", { className: "scale-ends", "aria-hidden": "true" }, [
            el("span", { text: step.scale_min + " = " + criterion.low_label }),
            el("span", { text: step.scale_max + " = " + criterion.high_label })
          ])
        ]));
      });
      form.appendChild(box);
    });
  }

  // Choice --------------------------------------------------------------------------------

  function buildChoice(step, form, closed) {
    var type = step.multiple ? "checkbox" : "radio";
    var items = step.options.map(function (option) {
      var input = el("input", { type: type, name: "choix", value: option.id, disabled: closed,
        checked: app.draft.choices.indexOf(option.id) >= 0 });
      var row = el("label", { className: "option check" }, [input, el("span", { className: "label", text: option.label })]);
      input.addEventListener("change", function () {
        if (step.multiple) {
          var chosen = app.draft.choices.filter(function (id) { return id !== option.id; });
          if (input.checked) { chosen.push(option.id); }
          app.draft.choices = step.options.map(function (o) { return o.id; })
            .filter(function (id) { return chosen.indexOf(id) >= 0; });
        } else {
          app.draft.choices = [option.id];
        }
        markChosen();
        draftChanged(step);
      });
      return { row: row, input: input };
    });
    function markChosen() {
      items.forEach(function (item) { item.row.className = "option check" + (item.input.checked ? " chosen" : ""); });
    }
    form.appendChild(el("fieldset", {}, [
      el("legend", { text: step.multiple ? t("Choisissez une ou plusieurs réponses") : t("Choisissez une réponse") }),
      el("div", { className: "option-list" }, items.map(function (item) { return item.row; }))
    ]));
    markChosen();
    if (step.allow_comment) {
      var max = config.comment_max_length;
      var area = el("textarea", { id: "commentaire", maxlength: String(max), rows: "3",
        disabled: closed, "aria-describedby": "commentaire-compteur" });
      area.value = app.draft.comment || "";
      var counter = el("span", { className: "counter", id: "commentaire-compteur" });
      var update = function () {
        counter.textContent = t("%(count)s / %(max)s caractères", { count: area.value.length, max: max });
      };
      area.addEventListener("input", function () {
        app.draft.comment = area.value.trim() ? area.value : null;
        update();
        draftChanged(step);
      });
      update();
      form.appendChild(el("div", { className: "field" }, [
        el("label", { "for": "commentaire", text: t("Commentaire (facultatif)") }), area, counter
      ]));
    }
  }

  // Brainstorm ----------------------------------------------------------------------------

  function renderBrainstorm(step, card, closed) {
    if (!app.column || !step.columns.some(function (c) { return c.id === app.column; })) {
      app.column = step.columns[0].id;
    }
    if (step.columns.length > 1) {
      // A select, not tabs: column labels are whole sentences (the model's changes).
      var chooser = el("select", { id: "colonne" }, step.columns.map(function (column) {
        return el("option", { value: column.id, text: column.label, selected: column.id === app.column });
      }));
      chooser.addEventListener("change", function () {
        app.column = chooser.value;
        if (app.parts.columnLabel) { app.parts.columnLabel.textContent = columnOf(step).label; }
        renderIdeaList();
      });
      card.appendChild(el("div", { className: "field" }, [
        el("label", { "for": "colonne", text: t("Colonne") }), chooser
      ]));
    }
    var columnLabel = el("strong", { text: columnOf(step).label });
    app.parts.columnLabel = columnLabel;
    if (step.columns.length === 1) { card.appendChild(el("p", {}, [t("Colonne :") + " ", columnLabel])); }
    if (!closed) {
      var max = step.max_idea_length || config.idea_max_length;
      var area = el("textarea", { id: "idee", maxlength: String(max), rows: "3", required: true,
        "aria-describedby": "idee-compteur idee-etat" });
      area.value = store.get("idea:" + step.id) || "";
      var counter = el("span", { className: "counter", id: "idee-compteur" });
      var state = el("p", { className: "state", id: "idee-etat", role: "status" });
      app.parts.ideaText = area;
      app.parts.ideaCounter = counter;
      app.parts.ideaMax = max;
      app.parts.ideaState = state;
      area.addEventListener("input", function () {
        store.set("idea:" + step.id, area.value);
        updateCounter();
        setIdeaState("", "");
      });
      var form = el("form", { novalidate: true, onsubmit: function (event) {
        event.preventDefault();
        var text = area.value.trim();
        if (!text) { setIdeaState("error", t("Écrivez votre idée avant de l'envoyer.")); area.focus(); return; }
        if (text.length > max) {
          setIdeaState("error", t("Votre idée dépasse %(max)s caractères.", { max: max }));
          return;
        }
        sendTracked({ type: "post_idea", step_id: step.id, column: app.column, text: text });
        setIdeaState("", app.socket && app.socket.readyState === 1
          ? t("Envoi en cours…") : t("Hors ligne : votre idée partira dès le retour de la connexion."));
      } }, [
        el("div", { className: "field" }, [
          el("label", { "for": "idee", text: t("Votre idée") }),
          area, counter
        ]),
        el("div", { className: "form-actions" }, [el("button", { type: "submit", text: t("Envoyer l'idée") })]),
        state
      ]);
      card.appendChild(form);
      updateCounter();
    }
    var list = el("ul", { className: "idea-list", "aria-label": t("Idées de la colonne") });
    app.parts.ideaList = list;
    app.parts.ideaStep = step;
    app.parts.ideaClosed = closed;
    var heading = el("h2", { text: t("Idées proposées") });
    app.parts.ideaHeading = heading;
    view.step.appendChild(el("section", { className: "card" }, [heading, list]));
    renderIdeaList();
  }

  function columnOf(step) {
    return step.columns.filter(function (c) { return c.id === app.column; })[0] || step.columns[0];
  }

  function updateCounter() {
    var area = app.parts.ideaText;
    if (!area) { return; }
    var length = area.value.trim().length;
    app.parts.ideaCounter.textContent = t("%(count)s / %(max)s caractères", { count: length, max: app.parts.ideaMax });
    app.parts.ideaCounter.className = "counter" + (length > app.parts.ideaMax ? " over" : "");
  }

  function setIdeaState(kind, text) {
    if (!app.parts.ideaState) { return; }
    app.parts.ideaState.className = "state" + (kind ? " " + kind : "");
    app.parts.ideaState.textContent = text;
  }

  function renderIdeaList() {
    var list = app.parts.ideaList;
    var step = app.parts.ideaStep;
    if (!list || !step) { return; }
    var focused = document.activeElement && document.activeElement.getAttribute("data-idea");
    clear(list);
    var ideas = app.ideas.filter(function (idea) {
      return idea.step_id === step.id && idea.column === app.column && !idea.hidden && !idea.merged_into;
    });
    ideas.sort(function (a, b) { return b.upvotes - a.upvotes; });
    app.parts.ideaHeading.textContent = t("Idées proposées (%(count)s)", { count: ideas.length });
    if (!ideas.length) {
      list.appendChild(el("li", { className: "empty", text: t("Aucune idée pour l'instant : lancez-vous !") }));
      return;
    }
    ideas.forEach(function (idea) {
      var mine = !!app.upvoted[idea.id];
      var pending = !!app.pendingUpvotes[idea.id];
      var supports = { supports: tn("%(num)d soutien", "%(num)d soutiens", idea.upvotes) };
      var button = el("button", { type: "button", className: "upvote" + (mine ? "" : " secondary"),
        "aria-pressed": mine ? "true" : "false", "data-idea": idea.id,
        "aria-disabled": app.parts.ideaClosed || pending ? "true" : "false",
        "aria-label": mine ? t("Retirer mon soutien (%(supports)s)", supports)
          : t("Soutenir cette idée (%(supports)s)", supports) }, [
        el("span", { "aria-hidden": "true", text: "▲" }),
        el("span", { "aria-hidden": "true", text: String(idea.upvotes) })
      ]);
      button.addEventListener("click", function () {
        if (app.parts.ideaClosed || app.pendingUpvotes[idea.id]) { return; }
        app.pendingUpvotes[idea.id] = true;
        sendTracked({ type: "upvote", idea_id: idea.id, withdraw: !!app.upvoted[idea.id] });
        renderIdeaList();
      });
      list.appendChild(el("li", { className: "phone-idea" }, [
        el("p", { className: "text", text: idea.text }), button
      ]));
      if (focused === idea.id) { button.focus(); }
    });
  }

  // Results (a compact text view; the projector shows the charts) ---------------------------

  function renderResults() {
    var box = app.parts.results;
    if (!box) { return; }
    var result = app.state && app.state.results;
    var step = app.state && app.state.current_step;
    if (step && step.kind !== "brainstorm" && step.results_visibility === "on_reveal" &&
        !step.results_revealed && (!result || result.step_id !== step.id)) {
      // The server keeps the tally until the facilitator reveals it.
      var hidden = app.state.results_hidden;
      var parts = [el("p", { className: "notice", text: t("Les résultats seront dévoilés par l'animation.") })];
      if (hidden && hidden.step_id === step.id) {
        parts.push(el("p", { className: "hint", text: step.status === "open"
          ? tn("%(num)d personne a voté pour l'instant.", "%(num)d personnes ont voté pour l'instant.", hidden.voters)
          : tn("%(num)d personne a voté.", "%(num)d personnes ont voté.", hidden.voters) }));
      }
      clearResults(box);
      box.appendChild(el("div", { className: "card results-hidden" }, parts));
      return;
    }
    if (!result || !step || result.step_id !== step.id || result.kind === "brainstorm") {
      clearResults(box);
      return;
    }
    // In « après avoir voté » mode, results only once this phone has voted, or the step is
    // over: nobody votes by following the crowd. « En direct » or revealed: at once.
    var shownAtOnce = step.results_visibility === "live" || step.results_revealed;
    if (step.status === "open" && !app.draftSent && !shownAtOnce) { clearResults(box); return; }
    var rows = [];
    var header = [t("Option"), ""];
    if (result.kind === "dot_vote") {
      header = [t("Option"), t("Gommettes")];
      rows = result.rows.map(function (r) { return [r.rank, r.label, r.dots]; });
    } else if (result.kind === "choice") {
      header = [t("Réponse"), t("Voix")];
      rows = result.rows.map(function (r) {
        return [r.rank, r.label, r.count + " (" + t("%(percent)s %%", { percent: Math.round(r.share * 100) }) + ")"];
      });
    } else if (result.kind === "ranking") {
      header = [t("Option"), t("Points Borda")];
      rows = result.schulze.rows.map(function (r) {
        var borda = result.borda.filter(function (b) { return b.option_id === r.option_id; })[0];
        return [r.rank, r.label, borda ? formatNumber(borda.score) : ""];
      });
    } else if (result.kind === "rating") {
      header = [t("Option"), t("Moyennes")];
      rows = result.rows.map(function (r, i) {
        return [i + 1, r.label, r.stats.map(function (s) {
          return s.label + " " + (s.mean === null ? "—" : formatNumber(s.mean));
        }).join(" · ")];
      });
    }
    var caption = t("Résultats en direct (%(voters)s)",
      { voters: tn("%(num)d votant", "%(num)d votants", result.voters) });
    // A tally arrives up to ten times a second: the table is built once per step and
    // its cells rewritten only where the text changed, so the browser redoes little
    // style and layout (docs/performance.md, "Page du téléphone").
    var shape = [step.id, result.kind, rows.length, header.join("|")].join("#");
    var shown = app.resultsTable;
    if (!shown || shown.box !== box || shown.shape !== shape || !box.firstChild) {
      clearResults(box);
      shown = buildResultsTable(box, shape, header, rows.length);
    }
    setText(shown.caption, caption);
    rows.forEach(function (r, i) {
      for (var c = 0; c < 3; c += 1) { setText(shown.cells[i][c], String(r[c])); }
    });
  }

  function buildResultsTable(box, shape, header, count) {
    var caption = el("caption", { id: "results-title" });
    var cells = [];
    var body = el("tbody");
    for (var i = 0; i < count; i += 1) {
      var row = [el("td"), el("td", { className: "label-cell" }), el("td", { className: "num" })];
      cells.push(row);
      body.appendChild(el("tr", {}, row));
    }
    var table = el("table", { className: "data" }, [
      caption,
      el("thead", {}, [el("tr", {}, [
        el("th", { scope: "col", text: t("Rang") }),
        el("th", { scope: "col", text: header[0] }),
        el("th", { scope: "col", className: "num", text: header[1] })
      ])]),
      body
    ]);
    box.appendChild(el("div", { className: "card" }, [table]));
    app.resultsTable = { box: box, shape: shape, caption: caption, cells: cells };
    return app.resultsTable;
  }

  function clearResults(box) {
    clear(box);
    app.resultsTable = null;
  }

  function setText(node, text) {
    if (node.textContent !== text) { node.textContent = text; }
  }

  function formatNumber(value) {
    return (Math.round(value * 10) / 10).toLocaleString(LANG);
  }

  // --- Joining -----------------------------------------------------------------------------

  if (view.joinForm) {
    view.joinForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = new FormData(view.joinForm);
      var nickname = String(data.get("nickname") || "").trim();
      var group = String(data.get("group") || "");
      var message = { type: "join" };
      if (nickname) { message.nickname = nickname; }
      if (group) { message.group = group; }
      Object.keys(app.outbox).forEach(function (id) {
        if (app.outbox[id].type === "join") { dropFromOutbox(id); }
      });
      sendTracked(message);
    });
  }

  // --- Start ---------------------------------------------------------------------------------

  window.addEventListener("online", reconnectNow);
  window.addEventListener("offline", function () {
    // A browser may keep a socket open on a dead network: close it, so nothing is
    // shown as sent before the server acknowledges it, and reconnect when back.
    var socket = app.socket;
    app.socket = null;
    if (socket) { socket.close(); }
    setConnection("offline");
    scheduleReconnect();
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { reconnectNow(); }
  });
  app.pingTimer = window.setInterval(heartbeat, PING_EVERY_MS);
  loadOutbox();
  connect();
})();
