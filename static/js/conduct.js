/* The inspection's on-site screen: each finding is saved as it is entered; while the
 * connection is down it is kept in this browser (localStorage) and sent when the connection
 * returns. Every edit carries its own key (an idempotency key): an edit sent twice — its
 * answer lost on the way back — is applied once by the server. The state of each finding is
 * shown beside it: "chưa gửi" (kept here, not sent), "đã lưu" (saved on the server).
 * Without this script the forms post normally. */
(function () {
  "use strict";
  var root = document.getElementById("conduct");
  if (!root) return;
  var status = document.getElementById("conduct-status");
  var saveUrl = root.dataset.saveUrl;
  var storeKey = "dondoc.findings." + root.dataset.inspection + "." + root.dataset.side;
  var sending = false;

  function csrf() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function newKey() {
    // A version-4 UUID from the browser's random source (randomUUID needs a secure page).
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function load() {
    try { return JSON.parse(window.localStorage.getItem(storeKey) || "{}"); } catch (e) { return {}; }
  }

  function keep(queue) {
    window.localStorage.setItem(storeKey, JSON.stringify(queue));
  }

  function formOf(criterion) {
    return root.querySelector("form.finding[data-criterion='" + criterion + "']");
  }

  function show(form, state, message) {
    var label = form.querySelector(".save-state");
    label.textContent = status.dataset[state] || "";
    label.dataset.state = state;
    var error = form.querySelector(".error");
    error.hidden = !message;
    error.textContent = message || "";
  }

  function online(flag) {
    status.textContent = flag ? status.dataset.online : status.dataset.offline;
    status.dataset.state = flag ? "online" : "offline";
  }

  function payloadOf(form) {
    var data = new FormData(form);
    var version = form.dataset.version;
    return {
      criterion: Number(form.dataset.criterion),
      side: data.get("side"),
      result: data.get("result") || "",
      points: (data.get("points") || "").trim(),
      note: data.get("note") || "",
      version: version ? Number(version) : null,
      key: newKey()
    };
  }

  // An edit is put in the queue (on this device) before anything is sent.
  function enqueue(form) {
    var queue = load();
    var payload = payloadOf(form);
    var waiting = queue[payload.criterion];
    if (waiting && ["result", "points", "note", "version"].every(function (k) { return waiting[k] === payload[k]; })) {
      flush();  // the same edit already waits (a change, then the button): sent once
      return;
    }
    if (waiting && waiting.sent) {
      // The earlier edit may have arrived without its answer: send it first, then this one.
      payload.after = waiting;
    }
    queue[payload.criterion] = payload;
    keep(queue);
    show(form, "pending");
    flush();
  }

  function send(payload) {
    var body = {};
    ["criterion", "side", "result", "points", "note", "version", "key"].forEach(function (k) { body[k] = payload[k]; });
    return fetch(saveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), "Accept": "application/json" },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (json) { return { status: response.status, json: json }; });
    });
  }

  function settle(payload, answer) {
    var form = formOf(payload.criterion);
    var queue = load();
    if (answer.status === 200 || answer.status === 201) {
      if (queue[payload.criterion] && queue[payload.criterion].key === payload.key) {
        delete queue[payload.criterion];
      } else if (queue[payload.criterion]) {
        // A later edit waits: it was made on the version just saved.
        queue[payload.criterion].version = answer.json.version;
        delete queue[payload.criterion].after;
      }
      keep(queue);
      if (form) {
        form.dataset.version = answer.json.version;
        form.querySelector("input[name=version]").value = answer.json.version;
        if (!queue[payload.criterion]) show(form, "saved");
      }
      return true;
    }
    // Refused (invalid, conflict, not allowed): no resend will change the answer.
    var waiting = queue[payload.criterion];
    if (waiting && waiting.key === payload.key) {
      delete queue[payload.criterion];
      keep(queue);
    } else if (waiting && waiting.after && waiting.after.key === payload.key) {
      // An earlier edit refused: the later one still goes.
      delete waiting.after;
      keep(queue);
      return true;
    }
    if (form) show(form, answer.status === 409 && answer.json.code === "finding_conflict" ? "conflict" : "error", answer.json.message);
    return true;
  }

  function flush() {
    if (sending) return;
    var queue = load();
    var next = Object.keys(queue)[0];
    if (!next) return;
    var payload = queue[next].after || queue[next];
    sending = true;
    var form = formOf(payload.criterion);
    if (form) show(form, "sending");
    payload.sent = true;
    if (queue[next].after) queue[next].after.sent = true; else queue[next].sent = true;
    keep(queue);
    send(payload).then(function (answer) {
      sending = false;
      online(true);
      settle(payload, answer);
      flush();
    }, function () {
      // No connection (or no answer): kept; sent again with the same key when it returns.
      sending = false;
      online(false);
      if (form) show(form, "pending");
    });
  }

  root.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList.contains("finding")) return;
    event.preventDefault();
    enqueue(form);
  });
  // A complete entry is saved as soon as it is complete: a result, and its points unless the
  // criterion does not apply.
  root.addEventListener("change", function (event) {
    var form = event.target.form;
    if (!form || !form.classList.contains("finding")) return;
    var p = payloadOf(form);
    if (p.result && (p.points || p.result === "not_applicable")) enqueue(form);
  });
  window.addEventListener("online", flush);
  window.setInterval(flush, 10000);

  // What this device still holds from before (a page reloaded offline): shown, then sent.
  var held = load();
  Object.keys(held).forEach(function (criterion) {
    var form = formOf(criterion);
    if (!form) return;
    var p = held[criterion];
    var radio = form.querySelector("input[name=result][value='" + p.result + "']");
    if (radio) radio.checked = true;
    form.querySelector("input[name=points]").value = p.points;
    form.querySelector("textarea[name=note]").value = p.note;
    show(form, "pending");
  });
  online(navigator.onLine);
  flush();
})();
