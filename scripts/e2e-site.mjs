// End-to-end test of the documentation site against dist/ in headless Chromium
// (playwright-core + the system Chromium).
// usage: node scripts/e2e-site.mjs http://127.0.0.1:8089/ target/e2e
// Clicks through a reference page (CodeMirror editor, Run, expected output, See Also link),
// the playground (gallery, run a job program, share link, REPL), the jobs panel (Cancel,
// details) and a bridge page (Send as operator), saving screenshots under the output
// directory. Then the issue-15 checks with a real keyboard and mouse: Tab never edits an
// example and leaves every editor, Esc stops a run, hover docs and completion, the home page's
// examples, the bridge console's first requests, jobs filters and cancel-all, the tour layout,
// values inline, copy buttons, measured WCAG contrast (syntax colours, the job-clock label, in
// light and dark) and the phone layout (bridge console, job-clock label).
// Exits non-zero on any failure.
import { launchChromium, collectErrors } from './browser.mjs';
import { mkdirSync } from 'node:fs';

const url = (process.argv[2] ?? 'http://127.0.0.1:8080/').replace(/#.*$/, '');
const out = process.argv[3] ?? 'target/e2e';
mkdirSync(out, { recursive: true });
const T = 60000;
const failures = [];
const check = (ok, what) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); if (!ok) failures.push(what); };

const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, colorScheme: 'light' });
  const errors = collectErrors(page);

  // ---- a reference page ----
  await page.goto(url + '#/reference/map.get');
  await page.waitForSelector('article.doc h1', { timeout: T });
  check((await page.locator('article.doc h1').innerText()).includes('map.get'), 'the map.get page renders');
  await page.waitForSelector('.example .editor-cm .cm-editor', { timeout: T });
  check(true, 'examples use the CodeMirror editor');
  const ex = page.locator('.example').first();
  await ex.locator('button.run').click();
  await ex.locator('.runner[data-status="done"]').waitFor({ timeout: T });
  check(await ex.locator('.match-ok').count() === 1, 'the first example matches its documented output');
  // Ctrl+Enter inside the editor runs too.
  const ex2 = page.locator('.example').nth(1);
  await ex2.locator('.cm-content').click();
  await page.keyboard.press('Control+Enter');
  await ex2.locator('.runner[data-status="done"]').waitFor({ timeout: T });
  check((await ex2.locator('.runner-output').innerText()).trim().length > 0, 'Ctrl+Enter in the editor runs the example');
  await page.screenshot({ path: `${out}/site-reference.png`, fullPage: true });
  // See Also links are hash routes that open other pages.
  const see = page.locator('article.doc a[href^="#/reference/map."]').first();
  await see.click();
  await page.waitForFunction(() => !location.hash.endsWith('map.get'), null, { timeout: T });
  await page.waitForSelector('article.doc h1', { timeout: T });
  check(/map\./.test(await page.locator('article.doc h1').innerText()), `See Also opens ${await page.evaluate(() => location.hash)}`);

  // Search: "/" focuses the header box.
  await page.locator('body').click({ position: { x: 5, y: 300 } });
  await page.keyboard.press('/');
  await page.keyboard.type('vla.poll');
  await page.waitForSelector('.search-results a', { timeout: T });
  check((await page.locator('.search-results a').first().innerText()).includes('vla.poll'), 'search finds vla.poll first');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => location.hash.includes('vla.poll'), null, { timeout: T }).catch(() => {});
  check((await page.evaluate(() => location.hash)).includes('vla.poll'), 'keyboard selection opens the hit');
  await page.keyboard.press('Escape');

  // An example opens in the playground.
  await page.goto(url + '#/reference/map.get');
  await page.waitForSelector('.example a.open-playground', { timeout: T });
  await page.locator('.example a.open-playground').first().click();
  await page.waitForFunction(() => (document.querySelector('.playground .cm-content')?.innerText ?? '').includes('map.make'), null, { timeout: T });
  check(true, 'an example opens in the playground');

  // ---- the playground ----
  await page.goto(url + '#/playground');
  await page.waitForSelector('.playground .editor-cm', { timeout: T });
  await page.selectOption('.pg-gallery select', { label: 'Polling loop with time.sleep-ms' });
  await page.waitForFunction(() => document.querySelector('.playground .cm-content')?.innerText.includes('time.sleep-ms'), null, { timeout: T });
  await page.locator('#playground-runner button.run').click();
  await page.waitForSelector('.pg-side .job-row', { timeout: T });
  check(true, 'a job from the playground shows in the jobs panel beside it');
  await page.waitForTimeout(1500);
  await page.locator('.pg-share').click();
  const share = await page.locator('.pg-share-url input').inputValue();
  check(share.includes('#/playground?code='), 'the share link encodes the program');
  await page.locator('.repl-input').fill('(define z 20)');
  await page.keyboard.press('Enter');
  await page.locator('.repl-input').fill('(+ z 22)');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('.repl-log')?.innerText.includes('42'), null, { timeout: T });
  check(true, 'the REPL keeps definitions between entries');
  await page.screenshot({ path: `${out}/site-playground.png` });

  // The share link opens the same program in a fresh page.
  const p2 = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  await p2.goto(share);
  await p2.waitForFunction(() => document.querySelector('.playground .cm-content, .playground textarea.editor-fallback'), null, { timeout: T });
  await p2.waitForFunction(() => (document.querySelector('.playground .cm-content')?.innerText ?? '').includes('time.sleep-ms'), null, { timeout: T });
  check(true, 'the share link restores the program');
  await p2.close();

  // ---- the jobs panel ----
  await page.goto(url + '#/jobs');
  await page.waitForSelector('.jobs-page .jobs-panel', { timeout: T });
  // Submit two more jobs through the JS API so one is active to cancel.
  await page.waitForFunction(() => window.granola !== undefined, null, { timeout: T });
  const ids = await page.evaluate(() => [1, 2, 3].map(() => window.granola.submit({ instruction: 'wave', action_space: { dims: 1 } })));
  const last = ids[ids.length - 1];
  await page.waitForSelector(`.job-row[data-job="${last}"] .job-cancel`, { timeout: T });
  await page.locator(`.job-row[data-job="${last}"] .job-cancel`).dispatchEvent('click');
  await page.waitForSelector(`.job-row[data-job="${last}"][data-state="cancelled"]`, { timeout: T });
  check(true, `Cancel ends job ${last} cancelled`);
  await page.locator(`.job-row[data-job="${ids[0]}"]`).dispatchEvent('click');
  await page.waitForSelector('.job-details .timeline-list li', { timeout: T });
  await page.waitForTimeout(1500);
  await page.screenshot({ path: `${out}/site-jobs.png` });

  // ---- a bridge page: load + run a population simulation, then its plot ----
  await page.goto(url + '#/playground');
  await page.waitForSelector('.playground', { timeout: T });
  await page.selectOption('.pg-gallery select', { label: 'Population simulation (bridge, JSON)' });
  await page.locator('#pg-console + .pg-console button.bridge-send').click();
  await page.waitForSelector('.pg-console .bridge-status[data-status="202"]', { timeout: T });
  check(true, 'a population run is accepted (202) from the console');
  await page.locator('.speed-select').selectOption('1'); // real time: 1 job-ms per wall-ms
  await page.waitForSelector('.pg-console .bridge-live[data-status="succeeded"]', { timeout: T });
  const popRow = page.locator('.pg-side .job-row[data-state="done"]').first();
  await popRow.dispatchEvent('click');
  await page.waitForSelector('.pg-side .job-details svg polygon.plot-band', { timeout: T });
  check(true, 'the finished population run shows its percentile band plot');
  await page.locator('.pg-side').screenshot({ path: `${out}/site-population.png` });

  // ================= issue 15 =================
  // Contrast: every syntax token and the small labels, against what is really behind them.
  const contrast = (pg, selectors) => pg.evaluate((selectors) => {
    const parse = (c) => {
      let m = c.match(/rgba?\(([^)]+)\)/);
      if (m) { const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; }
      m = c.match(/color\(srgb ([^)]+)\)/);
      if (m) { const p = m[1].split(/[\s/]+/).filter(Boolean).map(Number); return [p[0] * 255, p[1] * 255, p[2] * 255, p.length > 3 ? p[3] : 1]; }
      return null;
    };
    const bgOf = (el) => {
      const layers = [];
      for (let e = el; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
      }
      let acc = [255, 255, 255];
      for (const l of layers.reverse()) acc = acc.map((v, i) => v * (1 - l[3]) + l[i] * l[3]);
      return acc;
    };
    const lum = (rgb) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }; return 0.2126 * f(rgb[0]) + 0.7152 * f(rgb[1]) + 0.0722 * f(rgb[2]); };
    const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
    const out = [];
    for (const sel of selectors) {
      for (const el of document.querySelectorAll(sel)) {
        if (!el.textContent.trim() || !el.getClientRects().length) continue;
        const fg = parse(getComputedStyle(el).color);
        if (!fg) continue;
        out.push({ sel, text: el.textContent.trim().slice(0, 20), cls: el.className, ratio: ratio(fg, bgOf(el)) });
      }
    }
    return out;
  }, selectors);
  const tokenProgram = '; a comment\n(define (f x) (list \'a "text" 1.5 #t nil :key `(q ,x) (g x)))\n(f 2)\n';
  for (const scheme of ['light', 'dark']) {
    const pg = await browser.newPage({ viewport: { width: 1400, height: 1000 }, colorScheme: scheme });
    await pg.goto(url + '#/');
    await pg.evaluate((p) => { localStorage.clear(); localStorage.setItem('granola.playground', p); }, tokenProgram);
    await pg.goto(url + '#/playground');
    await pg.waitForSelector('.playground .editor-cm .cm-content span', { timeout: T });
    await pg.locator('.playground .cm-content').click({ position: { x: 5, y: 5 } });
    const rows = await contrast(pg, ['.playground .cm-content .cm-line span', '.speed-label', '.jobs-empty', '.runner-status', '.cm-granola-keyhint', '.pg-inline', '.muted']);
    const tokens = rows.filter(r => r.sel.includes('cm-line'));
    const worst = rows.reduce((a, b) => (a && a.ratio <= b.ratio ? a : b), null);
    console.log(`${scheme}: ${rows.length} texts measured, ${tokens.length} syntax tokens; lowest ${worst?.ratio.toFixed(2)} (${worst?.sel} "${worst?.text}")`);
    const failing = rows.filter(r => r.ratio < 4.5);
    check(tokens.length >= 10 && failing.length === 0, `${scheme}: syntax colours and labels reach WCAG AA 4.5:1 (${failing.map(r => `${r.sel} "${r.text}" ${r.ratio.toFixed(2)}`).join('; ')})`);
    const clock = rows.find(r => r.sel === '.speed-label');
    check(clock && clock.ratio >= 4.5, `${scheme}: the "Job clock" label measures ${clock?.ratio.toFixed(2)}:1`);
    await pg.close();
  }

  // Every visible text on the main pages, both themes, against what is behind it (opacity and
  // translucent layers composed; WCAG AA: 4.5:1, 3:1 for large text; disabled controls exempt),
  // and the syntax tokens under an error mark and a matching-bracket mark.
  const auditPage = (pg) => pg.evaluate(() => {
    const parse = (c) => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null; const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
    const base = parse(getComputedStyle(document.documentElement).backgroundColor);
    const bgOf = (el) => {
      const layers = [];
      for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor); if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; } }
      let acc = base && base[3] >= 1 ? base.slice(0, 3) : [255, 255, 255];
      for (const l of layers.reverse()) acc = acc.map((v, i) => v * (1 - l[3]) + l[i] * l[3]);
      return acc;
    };
    const lum = (rgb) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }; return 0.2126 * f(rgb[0]) + 0.7152 * f(rgb[1]) + 0.0722 * f(rgb[2]); };
    const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
    const out = { measured: 0, failing: [] };
    const seen = new Set();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || seen.has(el) || !n.textContent.trim()) continue;
      seen.add(el);
      if (!el.getClientRects().length || el.closest('[disabled], [aria-hidden="true"], svg')) continue;
      const cs = getComputedStyle(el);
      if (cs.visibility === 'hidden') continue;
      let fg = parse(cs.color);
      if (!fg) continue;
      let op = 1;
      for (let e = el; e; e = e.parentElement) op *= +getComputedStyle(e).opacity;
      const bg = bgOf(el);
      fg = fg.slice(0, 3).map((v, i) => v * fg[3] * op + bg[i] * (1 - fg[3] * op));
      const size = parseFloat(cs.fontSize);
      const need = size >= 24 || (+cs.fontWeight >= 700 && size >= 18.66) ? 3 : 4.5;
      const r = ratio(fg, bg);
      out.measured++;
      if (r < need) out.failing.push(`${el.tagName.toLowerCase()}.${String(el.className).slice(0, 30)} "${n.textContent.trim().slice(0, 24)}" ${r.toFixed(2)}`);
    }
    return out;
  });
  for (const scheme of ['light', 'dark']) {
    const pg = await browser.newPage({ viewport: { width: 1400, height: 1000 }, colorScheme: scheme });
    await pg.goto(url + '#/');
    await pg.evaluate(() => { localStorage.clear(); localStorage.setItem('granola.playground', '(define xs (list 1 2))\n(car 1) ; fails\n'); });
    let measured = 0;
    const failing = [];
    const audit = async (what) => { await pg.waitForTimeout(1200); const r = await auditPage(pg); measured += r.measured; failing.push(...r.failing.map(f => `${what}: ${f}`)); };
    for (const route of ['/', '/reference/map.get', '/reference', '/reference/guides/vla-jobs', '/jobs', '/bridge/run_simulation', '/tour']) {
      await pg.goto(url + '#' + route);
      await pg.waitForSelector('.page h1, .page h2', { timeout: T });
      await audit(route);
    }
    await pg.goto(url + '#/playground');
    await pg.waitForSelector('.playground .editor-cm .cm-content span', { timeout: T });
    await pg.locator('#playground-runner button.run').click();
    await pg.waitForSelector('.cm-granola-error-mark', { timeout: T });
    await pg.locator('.playground .cm-content').click({ position: { x: 3, y: 3 } }); // caret at "(": its match is marked
    await audit('playground (error + bracket marks)');
    check(await pg.locator('.cm-granola-error-line .cm-granola-error-mark').count() >= 1 && await pg.locator('.cm-matchingBracket').count() >= 1, `${scheme}: the audit saw an error mark and a matching-bracket mark`);
    check(measured > 300 && failing.length === 0, `${scheme}: all ${measured} visible texts on 8 pages reach WCAG AA (${failing.join('; ')})`);
    await pg.close();
  }

  // Item 1: tabbing through a reference page never edits an example, and leaves every editor.
  const kb = await browser.newPage({ viewport: { width: 1400, height: 1000 }, colorScheme: 'light' });
  await kb.goto(url + '#/');
  await kb.evaluate(() => localStorage.clear());
  await kb.goto(url + '#/reference/map.get');
  await kb.waitForSelector('.example .editor-cm .cm-editor', { timeout: T });
  const firstCode = await kb.locator('.example .cm-content').first().innerText();
  await kb.locator('article.doc h1').click();
  const path = [];
  for (let i = 0; i < 80; i++) {
    await kb.keyboard.press('Tab');
    path.push(await kb.evaluate(() => {
      const a = document.activeElement;
      const ex = a?.closest('.example');
      return { editor: !!a?.closest('.cm-content'), example: ex ? [...document.querySelectorAll('.example')].indexOf(ex) : -1, tag: a?.tagName };
    }));
  }
  const inEditor = path.filter(p => p.editor).length;
  const stuck = path.some((p, i) => i > 0 && p.editor && path[i - 1].editor && p.example === path[i - 1].example);
  check(inEditor >= 2 && !stuck, `Tab visits ${inEditor} editors and each next Tab leaves (no trap)`);
  check(await kb.locator('.example.edited').count() === 0, 'tabbing through the page edits no example');
  check(await kb.locator('.example .cm-content').first().innerText() === firstCode, 'the first example text is unchanged');
  // Hover docs over a builtin name.
  const tok = kb.locator('.example .cm-content span', { hasText: /^map\.get$/ }).first();
  await tok.hover();
  await kb.waitForSelector('.cm-tooltip .cm-granola-sig', { timeout: T }).catch(() => {});
  const hoverText = await kb.locator('.cm-tooltip .cm-granola-doc').first().innerText().catch(() => '');
  check(hoverText.includes('(map.get') && hoverText.includes('Reference'), `hover docs show the signature and summary (${hoverText.replace(/\n/g, ' ')})`);
  // Copy on a static code block (a guide) and on an example.
  await kb.goto(url + '#/reference/guides/vla-jobs');
  await kb.waitForSelector('article.doc .code-block button.copy', { timeout: T });
  await kb.locator('article.doc .code-block button.copy').first().click();
  check((await kb.locator('article.doc .code-block button.copy').first().innerText()).includes('Copied'), 'a static code block copies');
  await kb.close();

  // Esc stops a run; completion while typing; values inline; Format.
  const pgp = await browser.newPage({ viewport: { width: 1400, height: 1000 }, colorScheme: 'light' });
  await pgp.goto(url + '#/');
  await pgp.evaluate(() => { localStorage.clear(); localStorage.setItem('granola.playground', '(define (spin n) (spin (+ n 1)))\n(spin 0)\n'); });
  await pgp.goto(url + '#/playground');
  await pgp.waitForSelector('.playground .editor-cm', { timeout: T });
  await pgp.locator('#playground-runner button.run').click();
  await pgp.waitForSelector('#playground-runner[data-status="running"]', { timeout: T });
  await pgp.keyboard.press('Escape');
  await pgp.waitForSelector('#playground-runner[data-status="stopped"]', { timeout: 5000 }).catch(() => {});
  check(await pgp.locator('#playground-runner[data-status="stopped"]').count() === 1, 'Esc stops a run');
  await pgp.locator('.playground .cm-content').click();
  await pgp.keyboard.press('Control+End');
  await pgp.keyboard.type('\n(vla.po');
  await pgp.waitForSelector('.cm-tooltip-autocomplete', { timeout: 5000 }).catch(() => {});
  const comp = await pgp.locator('.cm-tooltip-autocomplete').innerText().catch(() => '');
  check(comp.includes('vla.poll'), `completion offers vla.poll (${comp.split('\n').slice(0, 4).join(' | ')})`);
  await pgp.screenshot({ path: `${out}/site15-completion.png` });
  await pgp.keyboard.press('Escape');
  await pgp.evaluate(() => { const h = document.querySelector('.playground .editor-host').__granolaEditor; h.setText('(define (square x)\n(* x x))   (square 12)\n(list (square 1)\n  (square 2))'); });
  await pgp.locator('.pg-format').click();
  await pgp.waitForFunction(() => document.querySelector('.playground .editor-host').__granolaEditor.getText().startsWith('(define (square x)\n  (* x x))\n(square 12)'), null, { timeout: 5000 }).catch(() => {});
  check((await pgp.evaluate(() => document.querySelector('.playground .editor-host').__granolaEditor.getText())).startsWith('(define (square x)\n  (* x x))\n(square 12)'), 'Format pretty-prints the playground program');
  await pgp.locator('.pg-inline input').check();
  await pgp.locator('#playground-runner button.run').click();
  await pgp.waitForSelector('.cm-granola-inline', { timeout: T });
  check((await pgp.locator('.cm-granola-inline').allInnerTexts()).some(t => t.includes('144')), 'values inline show (square 12) ⇒ 144 next to the form');
  await pgp.screenshot({ path: `${out}/site15-inline-values.png` });
  // The bridge console starts right: the first Send (a load template, as operator) succeeds;
  // run_simulation's template runs the loaded simulation; the plot is drawn in the console.
  await pgp.locator('#pg-console + .pg-console button.bridge-send').click();
  await pgp.waitForSelector('.pg-console .bridge-status', { timeout: T });
  check(await pgp.locator('.pg-console .bridge-status').getAttribute('data-status') === '201', 'the console\'s first Send succeeds (201)');
  await pgp.locator('.pg-console select.bridge-tool').selectOption('run_simulation');
  await pgp.locator('.pg-console button.bridge-send').click();
  await pgp.waitForSelector('.pg-console .bridge-status[data-status="202"]', { timeout: T });
  await pgp.locator('.speed-select').selectOption('1');
  await pgp.waitForSelector('.pg-console .bridge-live[data-status="succeeded"] svg', { timeout: T }).catch(() => {});
  check(await pgp.locator('.pg-console .bridge-live svg').count() === 1, 'the run\'s plot is drawn in the console');
  check((await pgp.locator('.pg-console .bridge-live').innerText()).includes('inspector'), 'the console says job rows open the inspector');
  await pgp.locator('.pg-console select.bridge-role').selectOption('viewer');
  await pgp.locator('.pg-console button.bridge-send').click();
  await pgp.waitForSelector('.pg-console .bridge-refusal', { timeout: T });
  check((await pgp.locator('.pg-console .bridge-refusal').innerText()).includes('may not call run_simulation'), 'a refusal is one plain sentence');
  await pgp.locator('.pg-console').screenshot({ path: `${out}/site15-console.png` });
  await pgp.close();

  // Items 6 and 7: the home page's examples; the jobs panel at workshop scale.
  const hp = await browser.newPage({ viewport: { width: 1400, height: 1000 }, colorScheme: 'light' });
  await hp.goto(url + '#/');
  await hp.waitForSelector('.example #home-runner[data-status="done"]', { timeout: T });
  check(await hp.locator('.card .example .editor').count() === 2, 'the home page examples are editors');
  // Format on the home page (its code comes with the module loaded on demand), pressed with the
  // mouse straight after typing: leaving the editor must not move the buttons under the pointer.
  const homeEx = hp.locator('.card .example').first();
  await homeEx.locator('.cm-content').click();
  await hp.keyboard.press('Control+End');
  await hp.keyboard.type('\n(define   zz\n     1)');
  await hp.keyboard.press('Escape');
  const fmtFocused = await homeEx.locator('button.format').boundingBox();
  await hp.evaluate(() => document.activeElement?.blur());
  const fmtBlurred = await homeEx.locator('button.format').boundingBox();
  check(fmtFocused && fmtBlurred && Math.abs(fmtFocused.y - fmtBlurred.y) < 1, `leaving the editor does not move its buttons (${fmtFocused?.y} -> ${fmtBlurred?.y})`);
  await homeEx.locator('.cm-content').click();
  await homeEx.locator('button.format').click();
  const formatted = await hp.waitForFunction(() => (document.querySelector('.card .example .cm-content')?.innerText ?? '').includes('(define zz'), null, { timeout: T }).then(() => true, () => false);
  check(formatted, 'Format on a home example (code loaded on demand) formats it, clicked from the editor');
  await homeEx.locator('button.reset').click();
  await hp.locator('.card .example a.open-playground').first().click();
  await hp.waitForFunction(() => (document.querySelector('.playground .cm-content')?.innerText ?? '').includes('(square 12)'), null, { timeout: T }).catch(() => {});
  check((await hp.locator('.playground .cm-content').innerText().catch(() => '')).includes('(square 12)'), 'a home example opens in the playground');
  await hp.goto(url + '#/jobs');
  await hp.waitForFunction(() => window.granola !== undefined, null, { timeout: T });
  await hp.evaluate(() => { for (let i = 0; i < 6; i++) window.granola.submit({ instruction: 'wave ' + i, action_space: { dims: 1 } }); });
  await hp.waitForSelector('.jobs-cancel-all:not([disabled])', { timeout: T });
  const label = await hp.locator('.job-row .job-cancel').first().getAttribute('aria-label');
  check(/Cancel vla job #\d+/.test(label ?? ''), `Cancel buttons name their job (${label})`);
  await hp.locator('.jobs-cancel-all').click();
  await hp.waitForSelector('.jobs-cancel-all[disabled]', { timeout: T }).catch(() => {});
  check(await hp.locator('.job-row[data-state="cancelled"]').count() >= 6, 'cancel all active ends every active job');
  check(await hp.locator('.job-row[data-state="cancelled"] .job-conf').count() === 0, 'no confidence on cancelled jobs');
  await hp.locator('.jobs-filter-state').selectOption({ label: 'done' });
  check(await hp.locator('.job-row[data-state="cancelled"]').count() === 0, 'the state filter hides cancelled jobs');
  await hp.goto(url + '#/tour');
  await hp.waitForSelector('.tour .editor-cm', { timeout: T });
  const lesson = await hp.locator('.tour-lesson').boundingBox();
  const work = await hp.locator('.tour-work').boundingBox();
  check(lesson && work && work.x >= lesson.x + lesson.width - 1 && work.y < lesson.y + lesson.height, 'the tour\'s lesson text sits beside the editor');
  check(await hp.locator('.tour-step button[disabled]').count() === 0, 'every tour step can be opened');
  await hp.close();

  // Item 10 on a phone: the bridge console fits its card; the job clock has a visible label.
  const ph = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await ph.goto(url + '#/bridge/run_simulation');
  await ph.waitForSelector('.bridge-console select.bridge-role', { timeout: T });
  const fits = await ph.evaluate(() => [...document.querySelectorAll('.bridge-console')].every(c => {
    const r = c.getBoundingClientRect();
    return [...c.querySelectorAll('select, textarea, button')].every(e => { const x = e.getBoundingClientRect(); return x.left >= r.left - 0.5 && x.right <= r.right + 0.5; });
  }));
  check(fits, 'on a phone the bridge console\'s identity select and body box stay inside their card');
  const clockLabel = await ph.locator('.speed-label').boundingBox();
  check(clockLabel && clockLabel.width > 0, 'on a phone the job-clock select has a visible label');
  const phOverflow = await ph.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(phOverflow <= 1, `no horizontal scrolling on the phone bridge page (${phOverflow}px)`);
  await ph.screenshot({ path: `${out}/site15-phone-bridge.png`, fullPage: true });
  for (const route of ['/', '/playground', '/jobs', '/tour', '/reference', '/reference/guides/vla-jobs']) {
    await ph.goto(url + '#' + route);
    await ph.waitForSelector('.page h1, .page h2', { timeout: T });
    await ph.waitForTimeout(800);
    const over = await ph.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(over <= 1, `no horizontal scrolling on the phone at ${route} (${over}px)`);
  }
  await ph.close();

  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await phone.goto(url + '#/reference/map.get');
  await phone.waitForSelector('.example .editor-cm', { timeout: T });
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 1, `no horizontal scrolling on a phone (overflow ${overflow}px)`);
  await phone.screenshot({ path: `${out}/site-phone.png` });

  check(errors.length === 0, `no page errors (${errors.join(' | ')})`);
} finally {
  await browser.close();
}
if (failures.length) {
  console.error(`SITE E2E FAILED: ${failures.length} check(s)`);
  process.exit(1);
}
console.log(`SITE E2E PASSED (screenshots in ${out}/)`);
