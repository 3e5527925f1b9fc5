/* Live notifications for signed-in pages (loaded by base.html; no framework, no CDN).

   Protocol (notifications/consumers.py): the server says hello {cursor, unread}, then sends
   {type:"notification", notification, unread} for each new notice and, for the objects this page
   watches, {type:"changed", object_type, object_id, state, reference}. Channel layers deliver at
   most once, so after a reconnect the page asks {action:"catch_up", since:<last id seen>} and shows
   what it missed ({type:"missed", notifications, unread}).

   A page that shows a referral, agreement or return declares it with
   <meta name="concord-live-object" content="referral:12">; this script watches it and, when it
   changes elsewhere, reloads the page unless a form on it holds unsaved input (then it shows a
   banner with a reload button instead).

   document.body.dataset.live is "connecting", "open" (after hello) or "closed". */
(function () {
  "use strict";

  var TOAST_MS = 8000;
  var MAX_TOASTS_PER_BATCH = 5;
  var BACKOFF_START_MS = 1000;
  var BACKOFF_MAX_MS = 30000;
  var CLOSE_UNAUTHENTICATED = 4401;

  var cursor = null; // id of the last notification this page knows of
  var delay = BACKOFF_START_MS;
  var socket = null;
  var submitting = false;

  function setState(state) {
    document.body.dataset.live = state;
  }

  function watchedObjects() {
    var found = [];
    var metas = document.querySelectorAll('meta[name="concord-live-object"]');
    for (var i = 0; i < metas.length; i++) {
      var parts = (metas[i].getAttribute("content") || "").split(":");
      var id = parseInt(parts[1], 10);
      if (parts[0] && !isNaN(id)) found.push({ object_type: parts[0], object_id: id });
    }
    return found;
  }

  // --- the badge -----------------------------------------------------------------------------
  function setUnread(count) {
    if (typeof count !== "number") return;
    var badge = document.getElementById("notif-badge");
    if (!badge) return;
    badge.textContent = String(count);
    badge.dataset.count = String(count);
    badge.hidden = count === 0;
    var link = badge.closest("a");
    if (link) link.setAttribute("aria-label", "Notifications: " + count + " unread");
  }

  // --- toasts --------------------------------------------------------------------------------
  function toast(notice) {
    var box = document.getElementById("toasts");
    if (!box) return;
    var el = document.createElement("div");
    el.className = "toast";
    el.setAttribute("role", "status");
    el.dataset.notification = String(notice.id);
    var close = document.createElement("button");
    close.type = "button";
    close.className = "toast-close";
    close.setAttribute("aria-label", "Dismiss");
    close.textContent = "×";
    close.addEventListener("click", function () { el.remove(); });
    el.appendChild(close);
    var link = document.createElement("a");
    link.href = notice.url || "/notifications/";
    link.textContent = notice.title || "New notification";
    el.appendChild(link);
    if (notice.reference) {
      var ref = document.createElement("div");
      ref.className = "toast-ref";
      ref.textContent = notice.reference;
      el.appendChild(ref);
    }
    box.appendChild(el);
    var dismiss = function () {
      // Keep it while the pointer or keyboard focus is on it; try again later.
      if (el.matches(":hover") || el.contains(document.activeElement)) {
        setTimeout(dismiss, TOAST_MS / 2);
      } else {
        el.remove();
      }
    };
    setTimeout(dismiss, TOAST_MS);
  }

  function summaryToast(extra) {
    toast({ id: 0, url: "/notifications/", title: extra + " more new notifications", reference: "" });
  }

  function remember(notice) {
    if (typeof notice.id === "number" && (cursor === null || notice.id > cursor)) cursor = notice.id;
  }

  // --- a watched object changed ------------------------------------------------------------
  function hasUnsavedInput() {
    var forms = document.querySelectorAll("form");
    for (var f = 0; f < forms.length; f++) {
      var els = forms[f].elements;
      for (var i = 0; i < els.length; i++) {
        var el = els[i];
        if (el.type === "hidden" || el.type === "submit" || el.type === "button") continue;
        if (el.type === "checkbox" || el.type === "radio") {
          if (el.checked !== el.defaultChecked) return true;
        } else if (el.tagName === "SELECT") {
          for (var o = 0; o < el.options.length; o++) {
            if (el.options[o].selected !== el.options[o].defaultSelected) return true;
          }
        } else if (typeof el.value === "string" && el.value !== el.defaultValue) {
          if (el.type === "file" && !el.value) continue;
          return true;
        }
      }
    }
    return false;
  }

  function changed(message) {
    if (submitting) return; // this page is already on its way to the new state
    if (!hasUnsavedInput()) {
      window.location.reload();
      return;
    }
    var banner = document.getElementById("live-banner");
    if (!banner) {
      banner = document.createElement("div");
      banner.id = "live-banner";
      banner.className = "live-banner";
      banner.setAttribute("role", "alert");
      var main = document.querySelector("main") || document.body;
      main.insertBefore(banner, main.firstChild);
    }
    banner.textContent = "";
    var what = message.object_type === "return" ? "return procedure" : message.object_type;
    banner.appendChild(
      document.createTextNode(
        "This " + what + " changed" + (message.state ? " to " + message.state.replace(/_/g, " ") : "") +
          " elsewhere — reload to see it (your unsaved input would be lost)."
      )
    );
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = "Reload";
    button.addEventListener("click", function () { window.location.reload(); });
    banner.appendChild(button);
  }

  // --- the socket ----------------------------------------------------------------------------
  function send(payload) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(payload));
  }

  function onMessage(event) {
    var message;
    try {
      message = JSON.parse(event.data);
    } catch (e) {
      return;
    }
    switch (message.type) {
      case "hello":
        delay = BACKOFF_START_MS;
        setUnread(message.unread);
        if (cursor === null) {
          cursor = message.cursor || 0;
        } else {
          send({ action: "catch_up", since: cursor });
        }
        watchedObjects().forEach(function (obj) {
          send({ action: "watch", object_type: obj.object_type, object_id: obj.object_id });
        });
        setState("open");
        break;
      case "notification":
        remember(message.notification);
        setUnread(message.unread);
        toast(message.notification);
        break;
      case "missed":
        var notices = message.notifications || [];
        notices.forEach(remember);
        notices.slice(0, MAX_TOASTS_PER_BATCH).forEach(toast);
        if (notices.length > MAX_TOASTS_PER_BATCH) summaryToast(notices.length - MAX_TOASTS_PER_BATCH);
        setUnread(message.unread);
        break;
      case "changed":
        changed(message);
        break;
      default:
        break; // "watching", "error": nothing to show
    }
  }

  function connect() {
    if (!("WebSocket" in window)) return;
    setState("connecting");
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + "/ws/notifications/");
    socket.addEventListener("message", onMessage);
    socket.addEventListener("close", function (event) {
      setState("closed");
      socket = null;
      if (event.code === CLOSE_UNAUTHENTICATED) return; // signed out: nothing to reconnect to
      var wait = delay + Math.floor(Math.random() * 0.2 * delay);
      delay = Math.min(delay * 2, BACKOFF_MAX_MS);
      setTimeout(connect, wait);
    });
  }

  document.addEventListener("submit", function (event) {
    if (!event.defaultPrevented) submitting = true;
  });
  window.addEventListener("pageshow", function () { submitting = false; });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", connect);
  } else {
    connect();
  }
})();
