/*! granola-embed (Granola, MIT): runnable muslisp snippets in any page.
 * <script src="granola-embed.js" defer></script> turns every `pre > code.language-lisp` block
 * into a live snippet. Options: the script tag's data-* attributes (data-selector,
 * data-expected, data-session="shared|isolated", data-autorun, data-speed, data-theme,
 * data-manual, data-full) or window.GranolaEmbedOptions = {...} set before the script. API:
 * GranolaEmbed.scan(root?, options?) -> Promise<number>, GranolaEmbed.ready (Promise),
 * GranolaEmbed.build ("small" | "full": which evaluator the last scan used).
 * Two builds: the small evaluator (granola-embed_bg.wasm) unless the page asks for the full one
 * (data-full) or a block names something only the full one has (FULL_ONLY), then
 * granola-embed-full.js + granola-embed-full_bg.wasm.
 * Everything runs in this page, offline; nothing outside the blocks it takes over is changed.
 */
(function () {
  "use strict";
  if (window.GranolaEmbed) return; // loaded twice
  var script = document.currentScript;
  var base = script && script.src ? script.src.slice(0, script.src.lastIndexOf("/") + 1) : "";
  // The default selector (kept equal to granola::embed::model::DEFAULT_SELECTOR by a test).
  var DEFAULT_SELECTOR = "pre > code.language-lisp, pre > code.language-muslisp, .language-lisp.highlight pre > code";
  var KEYS = ["selector", "expected", "session", "autorun", "speed", "theme", "budget", "full"];
  // Names only the full build has ("x." = a prefix; = granola::embed::evaluator::FULL_ONLY,
  // kept equal by a test).
  var FULL_ONLY = ["env.", "planner.", "image.", "blob.", "model-service.", "cap.call", "plan-action", "vla-request", "vla-wait", "vla-cancel"];

  /*__WASM_BINDGEN_GLUE__*/

  function options(extra) {
    var o = {};
    var data = (script && script.dataset) || {};
    KEYS.forEach(function (k) { if (data[k] !== undefined) o[k] = data[k]; });
    var user = window.GranolaEmbedOptions || {};
    var k;
    for (k in user) o[k] = user[k];
    for (k in extra || {}) o[k] = extra[k];
    if (!o.editorUrl) o.editorUrl = base + "granola-editor.js";
    return o;
  }

  function flag(v) {
    return v === true || (typeof v === "string" && !/^(false|0|no|off)$/i.test(v));
  }

  // Whether a block under `root` names something only the full build has.
  function needsFull(root, o) {
    var blocks;
    try { blocks = (root || document).querySelectorAll(o.selector || DEFAULT_SELECTOR); } catch (e) { return false; }
    for (var i = 0; i < blocks.length; i++) {
      var toks = (blocks[i].textContent || "").split(/[\s()'`,"]+/);
      for (var j = 0; j < toks.length; j++) {
        for (var k = 0; k < FULL_ONLY.length; k++) {
          var f = FULL_ONLY[k];
          if (f.charAt(f.length - 1) === "." ? toks[j].indexOf(f) === 0 : toks[j] === f) return true;
        }
      }
    }
    return false;
  }

  // Run a classic script of this directory; resolves to window[name] (then removed). Classic
  // scripts also work from file://, where browsers refuse fetch() and module scripts.
  function viaScript(file, name) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = base + file;
      s.onload = function () {
        s.remove();
        var v = window[name];
        try { delete window[name]; } catch (e) { window[name] = undefined; }
        if (v === undefined) return reject(new Error("granola-embed: " + s.src + " defines no " + name));
        resolve(v);
      };
      s.onerror = function () { s.remove(); reject(new Error("granola-embed: cannot load " + s.src)); };
      document.head.appendChild(s);
    });
  }

  // The wasm's bytes from NAME_bg.wasm.js (base64 in a classic script, for file://).
  function bytesViaScript(name, global) {
    return viaScript(name + "_bg.wasm.js", global).then(function (b64) {
      var bin = atob(b64), bytes = new Uint8Array(bin.length);
      for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      return bytes;
    });
  }

  // One build (small: this script's glue; full: granola-embed-full.js), instantiated once.
  var loading = {};
  function load(full) {
    var key = full ? "full" : "small";
    if (loading[key]) return loading[key];
    var name = full ? "granola-embed-full" : "granola-embed";
    var glue = full ? viaScript("granola-embed-full.js", "__granolaEmbedFull") : Promise.resolve(wasm_bindgen);
    loading[key] = glue.then(function (init) {
      var fromBytes = function () {
        return bytesViaScript(name, full ? "__granolaEmbedFullWasm" : "__granolaEmbedWasm").then(function (bytes) {
          return init({ module_or_path: bytes });
        });
      };
      var started = location.protocol === "file:" || base.indexOf("file:") === 0
        ? fromBytes()
        : init({ module_or_path: base + name + "_bg.wasm" }).catch(fromBytes);
      return started.then(function () { return init; });
    });
    return loading[key];
  }

  var settle;
  var api = {
    version: 1,
    build: null,
    ready: new Promise(function (resolve) { settle = resolve; }),
    /** Take over the blocks under `root` (default: the document); resolves to how many. Once
     * the full build is loaded, later scans use it too. */
    scan: function (root, extra) {
      var o = options(extra);
      var full = api.build === "full" || flag(o.full) || needsFull(root, o);
      return load(full).then(function (m) {
        var n = m.scan(root || document, o);
        api.build = full ? "full" : "small";
        settle(n);
        return n;
      });
    },
  };
  window.GranolaEmbed = api;

  function start() {
    var o = options();
    if (o.manual || (script && script.hasAttribute("data-manual"))) return;
    // A page without snippets does not load the evaluator.
    var sel = o.selector || DEFAULT_SELECTOR;
    var any;
    try { any = document.querySelector(sel); } catch (e) { any = true; }
    if (!any) { settle(0); return; }
    api.scan(document).catch(function (e) {
      console.error(e);
      settle(0);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
