/* Chemins — what the console and the projector share: drawing a step's results (the
   same markup as app/templates/_results.html) and the live connection to /ws.

   Every text comes from the server or from participants, so every node is built with
   DOM methods and textContent; nothing is ever parsed as HTML. */
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";

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

  // In French, 0 and 1 take the singular ("0 votant", "1 votant", "2 votants").
  function plural(count, one, many) { return count + " " + (count <= 1 ? one : many); }

  /* Translations. The page's catalogue (app/i18n_messages.py) is JSON in
     <script type="application/json" id="messages">: French text → text in the page's
     language. A text it lacks is shown as written, in French (the console's pages have no
     catalogue). Placeholders are Python's: t("Colonne %(label)s", { label: "…" }). */
  var LANG = document.documentElement.lang || "fr";
  var MESSAGES = (function () {
    var node = document.getElementById("messages");
    try { return node ? JSON.parse(node.textContent) || {} : {}; } catch (e) { return {}; }
  })();
  var PLURAL_RULES = window.Intl && window.Intl.PluralRules ? new window.Intl.PluralRules(LANG) : null;
  var DECIMAL = (1.5).toLocaleString(LANG).charAt(1);

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

  function number(value) {
    if (value === null || value === undefined) { return "—"; }
    if (Math.round(value) === value) { return String(value); }
    return value.toFixed(1).replace(".", DECIMAL);
  }

  function percent(share) { return t("%(percent)s %%", { percent: Math.round(share * 100) }); }

  function bar(value, maximum) {
    var width = maximum ? 100 * value / maximum : 0;
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("class", "bar");
    svg.setAttribute("viewBox", "0 0 100 10");
    svg.setAttribute("preserveAspectRatio", "none");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    [["track", 100], ["fill", width]].forEach(function (part) {
      var rect = document.createElementNS(SVG, "rect");
      rect.setAttribute("class", part[0]);
      rect.setAttribute("width", part[1].toFixed(2));
      rect.setAttribute("height", "10");
      svg.appendChild(rect);
    });
    return svg;
  }

  function rankCell(row) {
    return el("td", { className: "num" }, [String(row.rank),
      row.tied ? " " : null, row.tied ? el("span", { className: "rank-tied", text: t("ex æquo") }) : null]);
  }

  function votersLine(result) {
    var text = tn("%(num)d votant", "%(num)d votants", result.voters);
    if (result.kind === "dot_vote") {
      text += " · " + tn("%(num)d gommette posée", "%(num)d gommettes posées", result.dots_cast);
    }
    return el("p", { className: "voters", "data-role": "voters", text: text });
  }

  function table(caption, headers, rows, className) {
    return el("table", { className: "data" + (className ? " " + className : "") }, [
      el("caption", { className: "visually-hidden", text: caption }),
      el("thead", {}, [el("tr", {}, headers.map(function (h) {
        var th = el("th", { scope: "col", className: h.num ? "num" : (h.label ? "label-col" : null) });
        if (h.hidden) { th.appendChild(el("span", { className: "visually-hidden", text: h.text })); }
        else { th.textContent = h.text; }
        return th;
      }))]),
      el("tbody", {}, rows)
    ]);
  }

  function cell(text, num) { return el("td", { className: num ? "num" : null, text: String(text) }); }

  function dotVote(result) {
    var top = result.rows.reduce(function (max, row) { return Math.max(max, row.dots); }, 0);
    return [votersLine(result), table(t("Résultats du vote à gommettes"), [
      { text: t("Rang"), num: true }, { text: t("Option"), label: true }, { text: t("Graphique"), hidden: true },
      { text: t("Gommettes"), num: true }
    ], result.rows.map(function (row) {
      return el("tr", {}, [rankCell(row), cell(row.label), el("td", { className: "bar-cell" }, [bar(row.dots, top)]),
        cell(row.dots, true)]);
    }), "bar-table")];
  }

  function choice(result) {
    var parts = [votersLine(result), table(
      result.multiple ? t("Résultats du choix (plusieurs réponses possibles)") : t("Résultats du choix"), [
        { text: t("Rang"), num: true }, { text: t("Réponse"), label: true }, { text: t("Graphique"), hidden: true },
        { text: t("Voix"), num: true }, { text: t("Part"), num: true }
      ], result.rows.map(function (row) {
        return el("tr", {}, [rankCell(row), cell(row.label), el("td", { className: "bar-cell" }, [bar(row.share, 1)]),
          cell(row.count, true), cell(percent(row.share), true)]);
      }), "bar-table")];
    if (result.comments && result.comments.length) {
      parts.push(el("h3", { text: t("Commentaires (%(count)s)", { count: result.comments.length }) }));
      parts.push(el("ul", { className: "comments" }, result.comments.map(function (c) {
        return el("li", { text: c });
      })));
    }
    return parts;
  }

  function ranking(result) {
    var borda = {};
    result.borda.forEach(function (row) { borda[row.option_id] = row; });
    var rows = result.schulze.rows.map(function (row) {
      var b = borda[row.option_id];
      var bordaRank = el("td", { className: "num" }, b ? [String(b.rank), b.tied ? " " : null,
        b.tied ? el("span", { className: "rank-tied", text: t("ex æquo") }) : null] : []);
      return el("tr", {}, [rankCell(row), cell(row.label), cell(number(row.score), true),
        cell(b ? number(b.score) : "—", true), bordaRank]);
    });
    var note;
    if (result.voters === 0) {
      note = t("Aucun classement reçu pour l'instant.");
    } else if (result.schulze.condorcet_winner) {
      var winner = result.schulze.rows.filter(function (r) { return r.option_id === result.schulze.condorcet_winner; })[0];
      note = t("Gagnant de Condorcet : « %(label)s » (préféré à chaque autre option en duel).",
        { label: winner ? winner.label : "" });
    } else {
      note = t("Pas de gagnant de Condorcet : aucune option ne gagne tous ses duels.");
    }
    return [votersLine(result), table(t("Classement : méthode de Schulze et décompte de Borda"), [
      { text: t("Rang (Schulze)"), num: true }, { text: t("Option"), label: true }, { text: t("Duels gagnés"), num: true },
      { text: t("Points Borda"), num: true }, { text: t("Rang (Borda)"), num: true }
    ], rows), el("p", { className: "method-note", "data-role": "condorcet", text: note })];
  }

  function rating(result) {
    var parts = [votersLine(result)];
    if (result.quadrants && result.quadrants.length) {
      var first = result.criteria[0];
      var second = result.criteria[1];
      var matrix = el("div", { className: "matrix", "aria-hidden": "true" }, [
        el("div", { className: "axis-y", text: first.label + " →" })
      ]);
      ["high-low", "high-high", "low-low", "low-high"].forEach(function (cellId) {
        var quadrant = result.quadrants.filter(function (q) { return q.id === cellId; })[0];
        if (!quadrant) { return; }
        var items = result.rows.filter(function (r) { return r.quadrant && r.quadrant.id === cellId; })
          .map(function (r) {
            var means = r.stats.map(function (s) { return number(s.mean); }).join(" · ");
            return el("li", {}, [r.label + " ", el("span", { className: "means", text: "(" + means + ")" })]);
          });
        if (!items.length) { items = [el("li", { className: "empty", text: t("aucune option") })]; }
        matrix.appendChild(el("div", { className: "quadrant " + cellId }, [
          el("h4", { text: quadrant.label }), el("ul", {}, items)
        ]));
      });
      matrix.appendChild(el("div"));
      matrix.appendChild(el("div", { className: "axis-x", text: second.label + " →" }));
      parts.push(matrix);
    }
    var headers = [{ text: t("Option"), label: true }];
    result.criteria.forEach(function (c) {
      headers.push({ text: t("%(criterion)s : moyenne", { criterion: c.label }), num: true });
      headers.push({ text: t("médiane"), num: true });
    });
    if (result.quadrants && result.quadrants.length) { headers.push({ text: t("Case de la matrice") }); }
    headers.push({ text: t("Notes"), num: true });
    var withMatrix = result.quadrants && result.quadrants.length;
    parts.push(table(t("Notes moyennes (et médianes) par option, de %(low)s à %(high)s",
      { low: result.scale_min, high: result.scale_max }),
      headers, result.rows.map(function (row) {
        var cells = [cell(row.label)];
        row.stats.forEach(function (s) { cells.push(cell(number(s.mean), true)); cells.push(cell(number(s.median), true)); });
        if (result.quadrants && result.quadrants.length) { cells.push(cell(row.quadrant ? row.quadrant.label : "—")); }
        cells.push(cell(row.stats[0].count, true));
        return el("tr", {}, cells);
      }), withMatrix ? "with-matrix" : null));
    return parts;
  }

  /* The idea wall, from the step's columns and the live ideas (IdeaView objects). */
  function wall(step, ideas, contributors) {
    var visible = ideas.filter(function (i) { return i.step_id === step.id && !i.hidden && !i.merged_into; });
    var text = tn("%(num)d idée", "%(num)d idées", visible.length);
    if (typeof contributors === "number") {
      text += " · " + tn("%(num)d contributeur", "%(num)d contributeurs", contributors);
    }
    var columns = step.columns.map(function (column) {
      var inColumn = visible.filter(function (i) { return i.column === column.id; });
      inColumn.sort(function (a, b) { return b.upvotes - a.upvotes; });
      var items = inColumn.map(function (idea) {
        var meta = [el("span", { text: "▲ " + tn("%(num)d soutien", "%(num)d soutiens", idea.upvotes) })];
        if (idea.cluster) { meta.push(el("span", { className: "badge", text: idea.cluster })); }
        if (idea.merged && idea.merged.length) {
          meta.push(el("span", { text: "+ " + tn("%(num)d doublon", "%(num)d doublons", idea.merged.length) }));
        }
        return el("li", { className: "idea" }, [
          el("p", { className: "idea-text", text: idea.text }),
          el("p", { className: "idea-meta" }, meta)
        ]);
      });
      if (!items.length) { items = [el("li", { className: "empty", text: t("Pas encore d'idée.") })]; }
      return el("section", { className: "idea-column", "aria-label": t("Colonne %(label)s", { label: column.label }) }, [
        el("h3", {}, [column.label + " ", el("span", { className: "badge", text: String(inColumn.length) })]),
        el("ul", { className: "idea-list" }, items)
      ]);
    });
    return [el("p", { className: "voters", "data-role": "voters", text: text }),
      el("div", { className: "idea-columns" }, columns)];
  }

  function render(container, result) {
    var builders = { dot_vote: dotVote, choice: choice, ranking: ranking, rating: rating };
    clear(container);
    var parts = result && builders[result.kind]
      ? builders[result.kind](result)
      : [el("p", { className: "empty", text: t("Pas encore de résultat.") })];
    parts.forEach(function (part) { container.appendChild(part); });
  }

  /* A vote whose tally the server keeps from this screen for now: how many voted, and
     until when the results stay hidden (the same markup as the projector's template). */
  function renderHidden(container, voters, text) {
    clear(container);
    container.appendChild(el("p", { className: "voters", "data-role": "voters", text: tn("%(num)d votant", "%(num)d votants", voters) }));
    container.appendChild(el("p", { className: "empty results-hidden", "data-role": "results-hidden", text: text }));
  }

  function renderWall(container, step, ideas, contributors) {
    clear(container);
    wall(step, ideas, contributors).forEach(function (part) { container.appendChild(part); });
  }

  /* Apply an ideas_delta to a list of ideas (replace by id, add, remove). */
  function applyIdeasDelta(ideas, delta) {
    var byId = {};
    var list = ideas.slice();
    list.forEach(function (idea, index) { byId[idea.id] = index; });
    (delta.added || []).concat(delta.changed || []).forEach(function (idea) {
      if (byId[idea.id] !== undefined) { list[byId[idea.id]] = idea; }
      else { byId[idea.id] = list.length; list.push(idea); }
    });
    var removed = {};
    (delta.removed || []).forEach(function (id) { removed[id] = true; });
    return list.filter(function (idea) { return !removed[idea.id]; });
  }

  /* A live connection for the console and the projector (roles facilitator, projector):
     hello with the workshop id, reconnection with jittered exponential back-off, updates
     older than the last seen sequence number dropped, resync handled. */
  function LiveSocket(options) {
    this.options = options;
    this.seq = -1;
    this.attempt = 0;
    this.socket = null;
    this.outbox = {};
    this.timer = null;
    this.closedForGood = false;
    var self = this;
    window.setInterval(function () { self.send({ type: "ping" }); }, 20000);
    window.addEventListener("online", function () { self.reconnectNow(); });
    this.connect();
  }

  LiveSocket.prototype.status = function (status) {
    if (this.options.onStatus) { this.options.onStatus(status); }
  };

  LiveSocket.prototype.connect = function () {
    var self = this;
    if (self.closedForGood) { return; }
    window.clearTimeout(self.timer);
    self.status("connecting");
    var scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    var socket;
    try { socket = new WebSocket(scheme + "//" + window.location.host + (self.options.path || "/ws")); }
    catch (e) { self.retry(); return; }
    self.socket = socket;
    socket.addEventListener("open", function () {
      var hello = { type: "hello", protocol: 1, role: self.options.role, workshop_id: String(self.options.workshopId) };
      if (self.seq >= 0) { hello.last_seq = self.seq; }
      socket.send(JSON.stringify(hello));
    });
    socket.addEventListener("message", function (event) {
      var message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      self.handle(message);
    });
    socket.addEventListener("close", function () {
      if (self.socket !== socket) { return; }
      self.socket = null;
      self.status("offline");
      self.retry();
    });
  };

  LiveSocket.prototype.retry = function () {
    var self = this;
    if (self.closedForGood) { return; }
    var ceiling = Math.min(15000, 500 * Math.pow(2, self.attempt));
    self.attempt += 1;
    self.timer = window.setTimeout(function () { self.connect(); }, ceiling / 2 + Math.random() * ceiling / 2);
  };

  LiveSocket.prototype.reconnectNow = function () {
    if (this.socket && this.socket.readyState <= 1) { return; }
    this.attempt = 0;
    this.connect();
  };

  LiveSocket.prototype.send = function (message) {
    if (this.socket && this.socket.readyState === 1) {
      this.socket.send(JSON.stringify(message));
      return true;
    }
    return false;
  };

  LiveSocket.prototype.sendTracked = function (message, onDone) {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    message.client_id = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    this.outbox[message.client_id] = { message: message, onDone: onDone };
    this.send(message);
    return message.client_id;
  };

  LiveSocket.prototype.handle = function (message) {
    var self = this;
    if (message.type === "welcome" || message.type === "state") {
      self.seq = message.seq;
      if (message.type === "welcome") {
        self.attempt = 0;
        self.status("online");
        Object.keys(self.outbox).forEach(function (id) { self.send(self.outbox[id].message); });
      }
    } else if (typeof message.seq === "number") {
      if (message.seq <= self.seq) { return; }
      self.seq = message.seq;
    }
    if (message.type === "resync") { self.send({ type: "get_state" }); return; }
    if ((message.type === "ack" || message.type === "error") && message.client_id && self.outbox[message.client_id]) {
      var entry = self.outbox[message.client_id];
      delete self.outbox[message.client_id];
      if (entry.onDone) { entry.onDone(message); }
    }
    if (message.type === "error" && (message.code === "login_required" || message.code === "unknown_workshop")) {
      self.closedForGood = true;
      self.status("offline");
    }
    if (self.options.onMessage) { self.options.onMessage(message); }
  };

  window.Chemins = {
    el: el,
    clear: clear,
    plural: plural,
    t: t,
    tn: tn,
    render: render,
    renderHidden: renderHidden,
    renderWall: renderWall,
    applyIdeasDelta: applyIdeasDelta,
    LiveSocket: LiveSocket
  };
})();
