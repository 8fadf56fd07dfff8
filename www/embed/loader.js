/*! granola-embed (Granola, MIT): runnable muslisp snippets in any page.
 * <script src="granola-embed.js" defer></script> turns every `pre > code.language-lisp` block
 * into a live snippet. Options: the script tag's data-* attributes (data-selector,
 * data-expected, data-session="shared|isolated", data-autorun, data-speed, data-theme,
 * data-manual) or window.GranolaEmbedOptions = {...} set before the script. API:
 * GranolaEmbed.scan(root?, options?) -> Promise<number>, GranolaEmbed.ready (Promise).
 * Everything runs in this page, offline; nothing outside the blocks it takes over is changed.
 */
(function () {
  "use strict";
  if (window.GranolaEmbed) return; // loaded twice
  var script = document.currentScript;
  var base = script && script.src ? script.src.slice(0, script.src.lastIndexOf("/") + 1) : "";
  // The default selector (kept equal to granola::embed::model::DEFAULT_SELECTOR by a test).
  var DEFAULT_SELECTOR = "pre > code.language-lisp, pre > code.language-muslisp, .language-lisp.highlight pre > code";
  var KEYS = ["selector", "expected", "session", "autorun", "speed", "theme", "budget"];

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

  // The wasm's bytes from granola-embed_bg.wasm.js (a classic script, so it also works from
  // file://, where browsers refuse fetch() and module scripts).
  function bytesViaScript() {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = base + "granola-embed_bg.wasm.js";
      s.onload = function () {
        s.remove();
        var b64 = window.__granolaEmbedWasm;
        try { delete window.__granolaEmbedWasm; } catch (e) { window.__granolaEmbedWasm = undefined; }
        if (typeof b64 !== "string") return reject(new Error("granola-embed: " + s.src + " holds no wasm"));
        var bin = atob(b64), bytes = new Uint8Array(bin.length);
        for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
        resolve(bytes);
      };
      s.onerror = function () { s.remove(); reject(new Error("granola-embed: cannot load " + s.src)); };
      document.head.appendChild(s);
    });
  }

  var loading = null;
  function load() {
    if (loading) return loading;
    var fromBytes = function () {
      return bytesViaScript().then(function (bytes) { return wasm_bindgen({ module_or_path: bytes }); });
    };
    if (location.protocol === "file:" || base.indexOf("file:") === 0) {
      loading = fromBytes();
    } else {
      loading = wasm_bindgen({ module_or_path: base + "granola-embed_bg.wasm" }).catch(fromBytes);
    }
    return loading;
  }

  var settle;
  var api = {
    version: 1,
    ready: new Promise(function (resolve) { settle = resolve; }),
    /** Take over the blocks under `root` (default: the document); resolves to how many. */
    scan: function (root, extra) {
      return load().then(function () {
        var n = wasm_bindgen.scan(root || document, options(extra));
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
