// Granola's code editor: CodeMirror 6 with a muslisp mode, bundled by esbuild into one ES
// module (www/editor/granola-editor.js, `npm run build:editor`). It exposes a tiny API on
// `window.granolaEditor` that the Rust binding (src/web/components/editor.rs) calls:
//
//   const ed = granolaEditor.create(element, text, { onChange(text), onRun(), readOnly, minLines })
//   ed.getText(); ed.setText(text); ed.markError(line, col, message); ed.clearError();
//   ed.focus(); ed.destroy();
//
// Lines and columns are 1-based; columns count UTF-8 bytes, as the evaluator reports them.

import { EditorState, StateEffect, StateField, RangeSetBuilder } from "@codemirror/state";
import {
  EditorView, keymap, lineNumbers, drawSelection, highlightActiveLine,
  highlightSpecialChars, Decoration,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import {
  StreamLanguage, bracketMatching, syntaxHighlighting, HighlightStyle, indentOnInput,
} from "@codemirror/language";
import { closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
import { tags as t } from "@lezer/highlight";

// ---- muslisp tokenizer (reader rules: `;` comments, strings with escapes, tokens end at
// whitespace, parens or `;`) ----
const SPECIAL = new Set([
  "quote", "if", "define", "lambda", "begin", "let", "cond", "and", "or", "quasiquote",
  "unquote", "unquote-splicing", "load", "bt", "defbt", "else",
]);
const NUMBER = /^-?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?)$/;

function readString(stream, state) {
  while (!stream.eol()) {
    const ch = stream.next();
    if (ch === "\\") { stream.next(); continue; }
    if (ch === '"') { state.inString = false; break; }
  }
  return "string";
}

const muslisp = StreamLanguage.define({
  name: "muslisp",
  startState: () => ({ inString: false, afterParen: false }),
  token(stream, state) {
    if (state.inString) return readString(stream, state);
    if (stream.eatSpace()) return null;
    const ch = stream.peek();
    if (ch === ";") { stream.skipToEnd(); return "comment"; }
    if (ch === "(" ) { stream.next(); state.afterParen = true; return "paren"; }
    if (ch === ")") { stream.next(); state.afterParen = false; return "paren"; }
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
    paren: t.paren, meta: t.meta, keyword2: t.keyword, keywordSym: t.labelName, function: t.function(t.variableName),
  },
  languageData: { commentTokens: { line: ";" }, closeBrackets: { brackets: ["(", '"'] } },
});

const style = HighlightStyle.define([
  { tag: t.keyword, color: "var(--cm-keyword, #a626a4)", fontWeight: "600" },
  { tag: t.function(t.variableName), color: "var(--cm-function, #0b61c4)" },
  { tag: t.string, color: "var(--cm-string, #2f7d32)" },
  { tag: t.number, color: "var(--cm-number, #b45309)" },
  { tag: t.atom, color: "var(--cm-atom, #b45309)" },
  { tag: t.comment, color: "var(--cm-comment, #6b7280)", fontStyle: "italic" },
  { tag: t.meta, color: "var(--cm-meta, #a626a4)" },
  { tag: t.labelName, color: "var(--cm-keyword, #a626a4)" },
  { tag: t.paren, color: "var(--cm-paren, #6b7280)" },
]);

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

function errorDecorations(doc, line, col, message) {
  if (!(line >= 1)) return Decoration.none;
  const ln = doc.line(Math.min(line, doc.lines));
  // The evaluator counts columns in UTF-8 bytes (like the reference interpreter); walk the
  // line's code points to the one that starts at that byte and use its UTF-16 offset.
  const chars = Array.from(ln.text);
  const target = Math.max(0, (col || 1) - 1);
  let bytes = 0, units = 0, i = 0;
  while (i < chars.length && bytes < target) {
    const cp = chars[i].codePointAt(0);
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    units += chars[i].length;
    i += 1;
  }
  const from = ln.from + units;
  let to = from + (chars[i] || "").length;
  const b = new RangeSetBuilder();
  b.add(ln.from, ln.from, Decoration.line({ class: "cm-granola-error-line", attributes: { title: message || "" } }));
  if (to > from) b.add(from, to, Decoration.mark({ class: "cm-granola-error-mark" }));
  return b.finish();
}

const baseTheme = EditorView.theme({
  "&": { fontSize: "var(--code-size, 14px)", backgroundColor: "var(--code-bg, transparent)", color: "var(--fg, inherit)" },
  ".cm-content": { fontFamily: "var(--mono, ui-monospace, monospace)", caretColor: "var(--fg, #000)" },
  ".cm-gutters": { backgroundColor: "transparent", border: "none", color: "var(--muted, #888)" },
  ".cm-activeLine": { backgroundColor: "var(--active-line, rgba(127,127,127,0.08))" },
  "&.cm-focused": { outline: "2px solid var(--accent, #2563eb)", outlineOffset: "-1px" },
  ".cm-matchingBracket": { backgroundColor: "var(--match-bg, rgba(37,99,235,0.25))", outline: "none" },
  ".cm-nonmatchingBracket": { backgroundColor: "rgba(220,38,38,0.3)" },
  ".cm-granola-error-line": { backgroundColor: "rgba(220,38,38,0.12)" },
  ".cm-granola-error-mark": { textDecoration: "underline wavy #dc2626", backgroundColor: "rgba(220,38,38,0.25)" },
});

function create(element, text, opts = {}) {
  const onChange = opts.onChange || (() => {});
  const onRun = opts.onRun || (() => {});
  // With `runKey: false` Ctrl/Cmd+Enter is left to bubble to the page (the enclosing Runner
  // listens for it around the editor).
  // (The binding claims the key so the default "insert blank line" does not run; it does
  // not stop propagation.)
  const runKeys = [
    { key: "Mod-Enter", preventDefault: true, run: () => { if (opts.runKey !== false) onRun(); return true; } },
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
    errorField,
    baseTheme,
    EditorView.lineWrapping,
    keymap.of([...runKeys, ...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, indentWithTab]),
    EditorView.updateListener.of((u) => { if (u.docChanged) onChange(u.state.doc.toString()); }),
    EditorView.contentAttributes.of({ "aria-label": opts.label || "Lisp code editor", autocapitalize: "off", autocorrect: "off", spellcheck: "false" }),
  ];
  if (opts.readOnly) extensions.push(EditorState.readOnly.of(true));
  if (opts.minLines) {
    extensions.push(EditorView.theme({ ".cm-content, .cm-gutter": { minHeight: `${opts.minLines * 1.45}em` } }));
  }
  const view = new EditorView({ state: EditorState.create({ doc: text || "", extensions }), parent: element });
  return {
    view,
    getText: () => view.state.doc.toString(),
    setText(next) {
      const cur = view.state.doc.toString();
      if (cur === next) return;
      view.dispatch({ changes: { from: 0, to: cur.length, insert: next || "" }, effects: setError.of(Decoration.none) });
    },
    markError(line, col, message) {
      view.dispatch({ effects: setError.of(errorDecorations(view.state.doc, line, col, message)) });
      try {
        const ln = view.state.doc.line(Math.min(Math.max(1, line), view.state.doc.lines));
        view.dispatch({ effects: EditorView.scrollIntoView(ln.from, { y: "nearest" }) });
      } catch (_) { /* ignore */ }
    },
    clearError() { view.dispatch({ effects: setError.of(Decoration.none) }); },
    focus() { view.focus(); },
    destroy() { view.destroy(); },
  };
}

window.granolaEditor = { create, version: 1 };
window.dispatchEvent(new Event("granola-editor-ready"));
