// Granola's code editor: CodeMirror 6 with a muslisp mode, bundled by esbuild into one ES
// module (www/editor/granola-editor.js, `npm run build:editor`). It exposes a tiny API on
// `window.granolaEditor` that the Rust binding (src/web/components/editor.rs) calls:
//
//   granolaEditor.setNames([{name, sig, doc, special, href}, ...])  // once: the builtin table
//   const ed = granolaEditor.create(element, text, { onChange(text), onRun(), readOnly, minLines })
//   ed.getText(); ed.setText(text); ed.markError(line, col, message); ed.clearError();
//   ed.setInlineValues([{line, text, error}]); ed.focus(); ed.destroy();
//
// Lines and columns are 1-based; columns count UTF-8 bytes, as the evaluator reports them.
//
// Keyboard: Tab moves focus to the next control until the user has started editing (typed,
// or clicked into the text); from then on Tab indents, and Esc gives Tab back to focus
// moving. A hint under the text says which mode is on while the editor has focus.

import { EditorState, StateEffect, StateField, RangeSetBuilder } from "@codemirror/state";
import {
  EditorView, keymap, lineNumbers, drawSelection, highlightActiveLine,
  highlightSpecialChars, Decoration, WidgetType, hoverTooltip,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentMore, indentLess } from "@codemirror/commands";
import {
  StreamLanguage, bracketMatching, syntaxHighlighting, HighlightStyle, indentOnInput,
} from "@codemirror/language";
import {
  closeBrackets, closeBracketsKeymap, autocompletion, completionKeymap,
} from "@codemirror/autocomplete";
import { tags as t, Tag } from "@lezer/highlight";

// ---- the builtin table (names, signatures, summaries), given once by the app ----
let NAMES = [];
const BY_NAME = new Map();
// Special forms, until the table arrives (then the table's list).
let SPECIAL = new Set([
  "quote", "if", "define", "lambda", "begin", "let", "cond", "and", "or", "quasiquote",
  "unquote", "unquote-splicing", "load", "bt", "defbt",
]);

function setNames(rows) {
  NAMES = Array.isArray(rows) ? rows : [];
  BY_NAME.clear();
  for (const r of NAMES) BY_NAME.set(r.name, r);
  const sp = NAMES.filter((r) => r.special).map((r) => r.name);
  if (sp.length) SPECIAL = new Set(sp);
}

// ---- muslisp tokenizer (reader rules: `;` comments, strings with escapes, tokens end at
// whitespace, parens or `;`); parens are coloured by depth ----
const NUMBER = /^-?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?)$/;
const DEPTHS = 4;
const parenTags = Array.from({ length: DEPTHS }, () => Tag.define(t.paren));

function readString(stream, state) {
  while (!stream.eol()) {
    const ch = stream.next();
    if (ch === "\\") { stream.next(); continue; }
    if (ch === '"') { state.inString = false; break; }
  }
  return "string";
}

const parenTokens = {};
parenTags.forEach((tag, i) => { parenTokens[`paren${i}`] = tag; });

const muslisp = StreamLanguage.define({
  name: "muslisp",
  startState: () => ({ inString: false, afterParen: false, depth: 0 }),
  copyState: (s) => ({ ...s }),
  token(stream, state) {
    if (state.inString) return readString(stream, state);
    if (stream.eatSpace()) return null;
    const ch = stream.peek();
    if (ch === ";") { stream.skipToEnd(); return "comment"; }
    if (ch === "(") {
      stream.next(); state.afterParen = true;
      const d = state.depth % DEPTHS; state.depth += 1;
      return `paren${d}`;
    }
    if (ch === ")") {
      stream.next(); state.afterParen = false;
      state.depth = Math.max(0, state.depth - 1);
      return `paren${state.depth % DEPTHS}`;
    }
    if (ch === "'" || ch === "`" || ch === ",") {
      stream.next(); stream.eat("@"); return "meta";
    }
    if (ch === '"') {
      stream.next(); state.inString = true; state.afterParen = false;
      return readString(stream, state);
    }
    const head = state.afterParen;
    state.afterParen = false;
    stream.eatWhile(/[^\s();]/);
    const word = stream.current();
    if (word === "#t" || word === "#f" || word === "nil") return "atom";
    if (NUMBER.test(word)) return "number";
    if (word.startsWith(":")) return "keywordSym";
    if (head && SPECIAL.has(word)) return "keyword2";
    if (head) return "function";
    return "variable";
  },
  tokenTable: {
    meta: t.meta, keyword2: t.keyword, keywordSym: t.labelName, function: t.function(t.variableName),
    ...parenTokens,
  },
  languageData: { commentTokens: { line: ";" }, closeBrackets: { brackets: ["(", '"'] } },
});

const style = HighlightStyle.define([
  { tag: t.keyword, color: "var(--cm-keyword, #9a3412)", fontWeight: "600" },
  { tag: t.function(t.variableName), color: "var(--cm-function, #1d4ed8)" },
  { tag: t.string, color: "var(--cm-string, #15803d)" },
  { tag: t.number, color: "var(--cm-number, #a14a05)" },
  { tag: t.atom, color: "var(--cm-atom, #a14a05)" },
  { tag: t.comment, color: "var(--cm-comment, #6b6560)", fontStyle: "italic" },
  { tag: t.meta, color: "var(--cm-meta, #9a3412)" },
  { tag: t.labelName, color: "var(--cm-keyword, #9a3412)" },
  ...parenTags.map((tag, i) => ({ tag, color: `var(--cm-paren${i}, #5f5a52)` })),
]);

// ---- completion and hover docs, from the builtin table ----
const WORD = /[^\s()'"`,;]+/;

function infoNode(r) {
  const box = document.createElement("div");
  box.className = "cm-granola-doc";
  const sig = document.createElement("code");
  sig.className = "cm-granola-sig";
  sig.textContent = r.sig || r.name;
  const doc = document.createElement("p");
  doc.textContent = r.doc || "";
  box.append(sig, doc);
  if (r.href) {
    const a = document.createElement("a");
    a.href = r.href;
    a.textContent = "Reference ›";
    box.append(a);
  }
  return box;
}

// Names the program defines itself: (define name ...) and (define (name ...) ...).
function definedNames(text) {
  const out = new Set();
  const re = /\(define\s+\(?([^\s()'"`,;]+)/g;
  let m;
  while ((m = re.exec(text)) && out.size < 500) out.add(m[1]);
  return out;
}

// Whether the end of `before` (a line up to the cursor) is inside a string or a comment.
function inStringOrComment(before) {
  let str = false;
  for (let i = 0; i < before.length; i += 1) {
    const c = before[i];
    if (str) {
      if (c === "\\") i += 1;
      else if (c === '"') str = false;
    } else if (c === '"') str = true;
    else if (c === ";") return true;
  }
  return str;
}

// The arguments part of a signature: "(map.get m key default) -> value" -> "m key default".
function argsOf(sig) {
  const first = (sig || "").split(" | ")[0].replace(/\s*->.*$/, "");
  const m = /^\(\S+\s*(.*)\)$/.exec(first);
  return m && m[1].length <= 40 ? m[1] : undefined;
}

function complete(context) {
  const word = context.matchBefore(WORD);
  if (!word || (word.from === word.to && !context.explicit)) return null;
  const line = context.state.doc.lineAt(context.pos);
  if (inStringOrComment(line.text.slice(0, word.from - line.from))) return null;
  const options = NAMES.map((r) => ({
    label: r.name,
    type: r.special ? "keyword" : "function",
    detail: argsOf(r.sig),
    info: () => infoNode(r),
    boost: r.special ? 1 : 0,
  }));
  for (const n of definedNames(context.state.doc.toString())) {
    if (!BY_NAME.has(n)) options.push({ label: n, type: "variable", detail: "defined here" });
  }
  return { from: word.from, options, validFor: /^[^\s()'"`,;]*$/ };
}

const hoverDocs = hoverTooltip((view, pos, side) => {
  const line = view.state.doc.lineAt(pos);
  const text = line.text;
  let a = pos - line.from, b = a;
  const isWord = (c) => c !== undefined && !/[\s()'"`,;]/.test(c);
  while (a > 0 && isWord(text[a - 1])) a -= 1;
  while (b < text.length && isWord(text[b])) b += 1;
  if (a === b || (a === pos - line.from && side < 0) || (b === pos - line.from && side > 0)) return null;
  const r = BY_NAME.get(text.slice(a, b));
  if (!r) return null;
  return { pos: line.from + a, end: line.from + b, above: true, create: () => ({ dom: infoNode(r) }) };
}, { hoverTime: 350 });

// ---- error marks ----
const setError = StateEffect.define();
const errorField = StateField.define({
  create: () => Decoration.none,
  update(deco, tr) {
    for (const e of tr.effects) if (e.is(setError)) return e.value;
    return tr.docChanged ? Decoration.none : deco.map(tr.changes);
  },
  provide: (f) => EditorView.decorations.from(f),
});

// The UTF-16 offset in `doc` of a 1-based line and UTF-8 byte column.
function offsetAt(doc, line, col) {
  const ln = doc.line(Math.min(Math.max(1, line), doc.lines));
  const chars = Array.from(ln.text);
  const target = Math.max(0, (col || 1) - 1);
  let bytes = 0, units = 0, i = 0;
  while (i < chars.length && bytes < target) {
    const cp = chars[i].codePointAt(0);
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    units += chars[i].length;
    i += 1;
  }
  return { ln, from: ln.from + units, ch: chars[i] || "" };
}

function errorDecorations(doc, line, col, message) {
  if (!(line >= 1)) return Decoration.none;
  const { ln, from, ch } = offsetAt(doc, line, col);
  const to = from + ch.length;
  const b = new RangeSetBuilder();
  b.add(ln.from, ln.from, Decoration.line({ class: "cm-granola-error-line", attributes: { title: message || "" } }));
  if (to > from) {
    b.add(from, to, Decoration.mark({ class: "cm-granola-error-mark", attributes: { title: message || "", "aria-invalid": "true" } }));
  } else {
    // past the end of the line (end of text): a marker after it
    b.add(from, from, Decoration.widget({ widget: new ErrorEnd(message), side: 1 }));
  }
  return b.finish();
}

class ErrorEnd extends WidgetType {
  constructor(message) { super(); this.message = message || ""; }
  eq(o) { return o.message === this.message; }
  toDOM() {
    const s = document.createElement("span");
    s.className = "cm-granola-error-mark cm-granola-error-end";
    s.title = this.message;
    s.textContent = "\u2038";
    return s;
  }
}

// ---- inline values (each top-level form's value after its last line) ----
const setInline = StateEffect.define();
class ValueWidget extends WidgetType {
  constructor(text, error) { super(); this.text = text; this.error = error; }
  eq(o) { return o.text === this.text && o.error === this.error; }
  toDOM() {
    const s = document.createElement("span");
    s.className = this.error ? "cm-granola-inline cm-granola-inline-error" : "cm-granola-inline";
    s.textContent = (this.error ? " ✗ " : " ⇒ ") + this.text;
    return s;
  }
  ignoreEvent() { return true; }
}
const inlineField = StateField.define({
  create: () => Decoration.none,
  update(deco, tr) {
    for (const e of tr.effects) if (e.is(setInline)) return e.value;
    return deco.map(tr.changes);
  },
  provide: (f) => EditorView.decorations.from(f),
});

function inlineDecorations(doc, rows) {
  const byLine = new Map();
  for (const r of rows || []) {
    if (!(r.line >= 1) || r.line > doc.lines) continue;
    const prev = byLine.get(r.line);
    const text = String(r.text ?? "");
    byLine.set(r.line, prev ? { text: `${prev.text}  ⇒ ${text}`, error: prev.error || r.error } : { text, error: !!r.error });
  }
  const b = new RangeSetBuilder();
  for (const line of [...byLine.keys()].sort((x, y) => x - y)) {
    const v = byLine.get(line);
    const shown = v.text.length > 120 ? v.text.slice(0, 117) + "…" : v.text;
    b.add(doc.line(line).to, doc.line(line).to, Decoration.widget({ widget: new ValueWidget(shown, v.error), side: 1 }));
  }
  return b.finish();
}

const baseTheme = EditorView.theme({
  "&": { fontSize: "var(--code-size, 14px)", backgroundColor: "var(--code-bg, transparent)", color: "var(--fg, inherit)" },
  ".cm-content": { fontFamily: "var(--mono, ui-monospace, monospace)", caretColor: "var(--fg, #000)" },
  ".cm-gutters": { backgroundColor: "transparent", border: "none", color: "var(--muted, #888)" },
  ".cm-activeLine": { backgroundColor: "var(--active-line, rgba(127,127,127,0.08))" },
  "&.cm-focused": { outline: "2px solid var(--accent, #2563eb)", outlineOffset: "-1px" },
  // Marks tint lightly (text on them keeps WCAG AA in both themes) and rely on an outline or underline.
  // ("&.cm-focused" too: CodeMirror's own focused-bracket colour would win otherwise)
  ".cm-matchingBracket, &.cm-focused .cm-matchingBracket": { backgroundColor: "var(--match-bg, rgba(37,99,235,0.12))", outline: "1px solid var(--accent, #2563eb)" },
  ".cm-nonmatchingBracket, &.cm-focused .cm-nonmatchingBracket": { backgroundColor: "rgba(220,38,38,0.10)", outline: "1px solid #dc2626" },
  ".cm-granola-error-line": { backgroundColor: "rgba(220,38,38,0.06)" },
  ".cm-granola-error-mark": { textDecoration: "underline wavy #dc2626", backgroundColor: "rgba(220,38,38,0.10)", outline: "1px solid rgba(220,38,38,0.7)" },
  ".cm-granola-inline": { color: "var(--value, #2b5fb3)", fontStyle: "italic", paddingLeft: "1.5em", whiteSpace: "pre" },
  ".cm-granola-inline-error": { color: "var(--err, #b3261e)" },
  ".cm-tooltip": { maxWidth: "34rem" },
  ".cm-granola-doc": { padding: "0.35rem 0.55rem", fontSize: "0.85rem", lineHeight: "1.4" },
  ".cm-granola-doc p": { margin: "0.25rem 0" },
  ".cm-granola-sig": { fontWeight: "600" },
});

let hintIds = 0;

function create(element, text, opts = {}) {
  const onChange = opts.onChange || (() => {});
  const onRun = opts.onRun || (() => {});
  // With `runKey: false` Ctrl/Cmd+Enter is left to bubble to the page (the enclosing Runner
  // listens for it around the editor).
  const runKeys = [
    { key: "Mod-Enter", preventDefault: true, run: () => { if (opts.runKey !== false) onRun(); return true; } },
  ];

  // Tab moves focus until the user edits; Esc gives Tab back to focus moving.
  let editing = false;
  const hint = document.createElement("div");
  hint.className = "cm-granola-keyhint";
  hint.id = `granola-keyhint-${++hintIds}`;
  hint.setAttribute("aria-live", "polite");
  const showHint = () => {
    hint.textContent = editing
      ? "Tab indents · Esc, then Tab leaves the editor"
      : "Tab moves to the next control · type to edit";
  };
  let view;
  const setEditing = (on) => {
    if (editing === on) return;
    editing = on;
    showHint();
  };
  const tabKeys = [
    { key: "Tab", run: (v) => (editing ? indentMore(v) : false), shift: (v) => (editing ? indentLess(v) : false) },
    { key: "Escape", run: () => { setEditing(false); return false; } },
  ];

  const extensions = [
    lineNumbers(),
    highlightSpecialChars(),
    history(),
    drawSelection(),
    indentOnInput(),
    bracketMatching(),
    closeBrackets(),
    highlightActiveLine(),
    muslisp,
    syntaxHighlighting(style),
    autocompletion({ override: [complete], icons: false }),
    hoverDocs,
    errorField,
    inlineField,
    baseTheme,
    EditorView.lineWrapping,
    keymap.of([...runKeys, ...tabKeys, ...closeBracketsKeymap, ...completionKeymap, ...defaultKeymap, ...historyKeymap]),
    EditorView.updateListener.of((u) => {
      if (u.docChanged) {
        if (u.transactions.some((tr) => tr.isUserEvent("input") || tr.isUserEvent("delete") || tr.isUserEvent("undo") || tr.isUserEvent("redo"))) {
          setEditing(true);
        }
        onChange(u.state.doc.toString());
      }
    }),
    EditorView.domEventHandlers({
      mousedown: () => { setEditing(true); return false; },
      touchstart: () => { setEditing(true); return false; },
      blur: () => { setEditing(false); return false; },
    }),
    EditorView.contentAttributes.of({
      "aria-label": opts.label || "Lisp code editor", "aria-describedby": hint.id,
      autocapitalize: "off", autocorrect: "off", spellcheck: "false",
    }),
  ];
  if (opts.readOnly) extensions.push(EditorState.readOnly.of(true));
  if (opts.minLines) {
    extensions.push(EditorView.theme({ ".cm-content, .cm-gutter": { minHeight: `${opts.minLines * 1.45}em` } }));
  }
  view = new EditorView({ state: EditorState.create({ doc: text || "", extensions }), parent: element });
  showHint();
  element.appendChild(hint);
  return {
    view,
    getText: () => view.state.doc.toString(),
    setText(next) {
      const cur = view.state.doc.toString();
      if (cur === next) return;
      view.dispatch({
        changes: { from: 0, to: cur.length, insert: next || "" },
        effects: [setError.of(Decoration.none), setInline.of(Decoration.none)],
      });
    },
    markError(line, col, message) {
      view.dispatch({ effects: setError.of(errorDecorations(view.state.doc, line, col, message)) });
      try {
        const ln = view.state.doc.line(Math.min(Math.max(1, line), view.state.doc.lines));
        view.dispatch({ effects: EditorView.scrollIntoView(ln.from, { y: "nearest" }) });
      } catch (_) { /* ignore */ }
    },
    clearError() { view.dispatch({ effects: setError.of(Decoration.none) }); },
    setInlineValues(rows) { view.dispatch({ effects: setInline.of(inlineDecorations(view.state.doc, rows)) }); },
    isEditing: () => editing,
    focus() { view.focus(); },
    destroy() { view.destroy(); hint.remove(); },
  };
}

window.granolaEditor = { create, setNames, names: () => NAMES.length, version: 2 };
window.dispatchEvent(new Event("granola-editor-ready"));
