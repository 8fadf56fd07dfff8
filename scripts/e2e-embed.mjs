// End-to-end test of the embed (dist/embed/) in headless Chromium (playwright-core + the system
// Chromium). usage: node scripts/e2e-embed.mjs http://127.0.0.1:PORT/embed/ DIST_EMBED_DIR OUT_DIR
// Loads the plain demo page and the MkDocs-style page over HTTP and the plain one from file://,
// runs every snippet and checks values, errors with line and column, the expected-output
// verdicts, Stop on a runaway snippet (and that the page stays responsive meanwhile), a job's
// Cancel, the shared-session mode, which build (small or full) each page loads, the editor (loaded on first edit), Reset, the tree view,
// dark mode, and that a page without snippets does not load the evaluator. Screenshots of both
// demo pages (light and dark) go to OUT_DIR/embed-*.png. Exits non-zero on any failure.
import { launchChromium, collectErrors } from './browser.mjs';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const base = process.argv[2] ?? 'http://127.0.0.1:8080/embed/';
const distDir = process.argv[3] ?? 'dist/embed';
const out = process.argv[4] ?? 'target/e2e';
mkdirSync(out, { recursive: true });
const T = 60000;
const failures = [];
const check = (ok, what) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); if (!ok) failures.push(what); };

// Snippet N's host element (light DOM); its widget is in an open shadow root, which
// playwright's CSS locators pierce.
const sn = (page, n) => page.locator(`[data-granola-snippet="${n}"]`);
const outText = async (page, n) => (await sn(page, n).locator('.ge-out').textContent()) ?? '';
async function runAndWait(page, n, states = ['done', 'error', 'stopped']) {
  await sn(page, n).locator('.ge-run').click();
  const sel = states.map(s => `[data-granola-snippet="${n}"][data-state="${s}"]`).join(', ');
  await page.waitForSelector(sel, { timeout: T });
  return outText(page, n);
}
async function ready(page) {
  return page.evaluate(() => window.GranolaEmbed.ready);
}

const browser = await launchChromium();
try {
  // ---------------------------------------------------------------- plain demo page, HTTP
  {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 }, colorScheme: 'light' });
    const errors = collectErrors(page);
    const wasmRequests = [];
    page.on('request', r => { if (/granola-embed(-full)?_bg\.wasm|granola-embed-full\.js/.test(r.url())) wasmRequests.push(r.url()); });
    const t0 = Date.now();
    await page.goto(base + 'demo.html');
    const count = await ready(page);
    console.log(`demo.html: ${count} snippets, ready ${Date.now() - t0} ms after navigation`);
    check(count === 9, `the demo page has 9 snippets (${count})`);
    check(wasmRequests.length === 1 && wasmRequests[0].endsWith('/granola-embed_bg.wasm'), `over HTTP the small build's wasm is fetched, not its base64 copy nor the full build (${wasmRequests})`);
    check(await page.evaluate(() => GranolaEmbed.build) === 'small' && await sn(page, 1).getAttribute('data-build') === 'small',
      'the demo page needs nothing of the full build: the small one runs it');
    check(await page.locator('pre:has(> code.language-lisp)').evaluateAll(ps => ps.every(p => getComputedStyle(p).display === 'none')),
      'the original lisp blocks are hidden');
    check(await page.locator('code.language-python').isVisible(), 'a python block is left alone');
    check(await page.locator('pre:has(> code.language-output)').first().isVisible(), 'expected-output blocks stay visible');
    check(await sn(page, 1).getAttribute('data-mode') === 'shared' && await sn(page, 4).getAttribute('data-mode') === 'isolated',
      'data-granola-session="shared" chooses the notebook\'s mode, the page default is isolated');

    // Shared session: snippet 2 needs snippet 1's definition.
    let o = await runAndWait(page, 2);
    check(/unbound symbol: square/.test(o), `snippet 2 before snippet 1: square is unbound (${o.trim()})`);
    check(await sn(page, 2).getAttribute('data-match') === 'no', 'its expected-output verdict says it differs');
    o = await runAndWait(page, 1);
    check(o.includes('<closure>') && o.includes('144'), `snippet 1 prints <closure> and 144 (${o.trim()})`);
    check(await sn(page, 1).getAttribute('data-match') === 'yes', 'snippet 1 matches its expected output');
    check((await sn(page, 1).locator('.ge-match').textContent()).includes('matches the expected output'), 'the verdict reads "matches"');
    o = await runAndWait(page, 2);
    check(o.includes('385') && await sn(page, 2).getAttribute('data-match') === 'yes', `shared session: snippet 2 now sees square (${o.trim()})`);
    o = await runAndWait(page, 3);
    check(o.includes('"the sum of the first 100 squares:"') && o.includes('338350'), `snippet 3: printed output and value (${o.trim()})`);
    // Isolated: the notebook's definitions are not known.
    o = await runAndWait(page, 4);
    check(/line 1, column 2: unbound symbol: square/.test(o), `an isolated snippet does not see the notebook (${o.trim()})`);

    // Errors with line and column.
    o = await runAndWait(page, 5);
    check(o.includes('error: line 2, column 3: +: expected number'), `runtime error with its line and column (${o.trim()})`);
    check(await sn(page, 5).getAttribute('data-match') === 'yes', 'the error snippet matches its expected output (fatal: ...)');
    const marked = await sn(page, 5).locator('.ge-errline').textContent();
    const col = await sn(page, 5).locator('.ge-errcol').textContent();
    check(marked === '  (+ x 1))' && col === '(', `the error's line and column are marked in the code (${JSON.stringify(marked)}, column at ${JSON.stringify(col)})`);
    o = await runAndWait(page, 6);
    check(/error: line \d+, column \d+: /.test(o) && await sn(page, 6).getAttribute('data-state') === 'error', `parse error with its position (${o.trim()})`);

    // Runaway: runs in slices, the page stays responsive, Stop ends it.
    await sn(page, 7).locator('.ge-run').click();
    await page.waitForSelector('[data-granola-snippet="7"][data-state="running"]', { timeout: T });
    const gaps = await page.evaluate(() => new Promise(res => {
      const out = []; let last = performance.now(); let n = 0;
      const tick = () => { const now = performance.now(); out.push(now - last); last = now; if (++n < 30) setTimeout(tick, 0); else res(out); };
      setTimeout(tick, 0);
    }));
    const worst = Math.max(...gaps);
    console.log(`while the runaway snippet runs, the page's timers fire within ${worst.toFixed(1)} ms (worst of 30)`);
    check(worst < 250, `the page stays responsive during a runaway run (worst timer gap ${worst.toFixed(1)} ms)`);
    check(await sn(page, 7).getAttribute('data-state') === 'running', 'the runaway snippet is still running');
    await sn(page, 7).locator('.ge-stop').click();
    await page.waitForSelector('[data-granola-snippet="7"][data-state="stopped"]', { timeout: T });
    check((await outText(page, 7)).includes('Stopped.'), 'Stop ends the runaway run ("Stopped.")');

    // Jobs: the third waits for a slot; cancel it from the job list.
    await sn(page, 8).locator('.ge-run').click();
    const row3 = sn(page, 8).locator('li[data-job="3"]');
    await row3.waitFor({ timeout: T });
    const st = await row3.getAttribute('data-state');
    check(st === 'queued', `job 3 waits in the queue while jobs 1 and 2 run (${st})`);
    await page.screenshot({ path: `${out}/embed-demo-jobs.png`, clip: await sn(page, 8).boundingBox() ?? undefined });
    await row3.locator('button[data-cancel="3"]').click();
    await page.waitForSelector('[data-granola-snippet="8"][data-state="done"]', { timeout: T });
    o = await outText(page, 8);
    check(o.includes('(:done :done :cancelled)'), `the program sees the cancelled job (${o.trim().split('\n').pop()})`);
    check(await row3.getAttribute('data-state') === 'cancelled', 'job 3 shows as cancelled in the list');
    check(await sn(page, 8).locator('li[data-job="1"]').getAttribute('data-state') === 'done', 'job 1 shows as done');
    check(await sn(page, 8).getAttribute('data-match') === 'no', 'the cancelled run differs from the expected output');

    // Tree view.
    await sn(page, 9).locator('.ge-run').click();
    await sn(page, 9).locator('.ge-trees g.bt-node').first().waitFor({ timeout: T });
    const during = await sn(page, 9).locator('.ge-trees').textContent();
    await page.waitForSelector('[data-granola-snippet="9"][data-state="done"]', { timeout: T });
    const tree = sn(page, 9).locator('.ge-trees');
    const head = await tree.locator('.ge-head').textContent();
    check(/tick \d+ · root success/.test(head), `the tree view shows the last tick, root success (${head})`);
    check(/root running/.test(during) || /tick 1 /.test(during), `the tree view showed the tree while it ticked (${during.slice(0, 60)}…)`);
    // studio::svg: one <g class="bt-node f-… st-…"> per node, st-idle = not ticked
    const statuses = await tree.locator('g.bt-node').evaluateAll(gs => gs.map(g => (g.getAttribute('class').match(/\bst-(\w+)/) || [])[1]));
    check(statuses.length === 6 && statuses.filter(s => s === 'success').length === 5 && statuses.includes('idle'),
      `every node shows its status; the fallback was not ticked (${statuses})`);
    check(await tree.locator('path.bt-edge.on').count() >= 4, 'the edges the last tick went down are drawn');
    check(await sn(page, 9).getAttribute('data-match') === 'yes', 'the tree snippet matches its expected output');
    check(await sn(page, 9).locator('.ge-jobs li[data-job]').count() >= 1, 'the async-sleep job shows in the job list');

    // Editor on first edit, Ctrl+Enter, Reset.
    check(await sn(page, 1).locator('.cm-editor').count() === 0, 'no editor is loaded before the first edit');
    await sn(page, 1).locator('.ge-src').click();
    await sn(page, 1).locator('.cm-editor').waitFor({ timeout: T });
    check(await sn(page, 1).getAttribute('data-editor') === 'codemirror', 'clicking the code loads the CodeMirror editor');
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('(square 7)');
    await page.keyboard.press('ControlOrMeta+Enter');
    await page.waitForSelector('[data-granola-snippet="1"][data-state="done"]', { timeout: T });
    o = await outText(page, 1);
    check(o.trim() === '49', `an edited snippet runs with Ctrl+Enter in the shared session (${o.trim()})`);
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('(env.info)');
    await page.keyboard.press('ControlOrMeta+Enter');
    await page.waitForSelector('[data-granola-snippet="1"][data-state="error"]', { timeout: T });
    o = await outText(page, 1);
    check(/unbound symbol: env\.info/.test(o) && /full evaluator.*data-full/.test(o), `the small build says where env.info is (${o.trim()})`);
    await sn(page, 1).screenshot({ path: `${out}/embed-demo-hint.png` });
    check(await sn(page, 1).getAttribute('data-match') === 'no' && await sn(page, 1).getAttribute('data-edited') === '', 'the edit is flagged and differs from the expected output');
    await sn(page, 1).locator('.ge-reset').click();
    const text = await sn(page, 1).locator('.cm-content').textContent();
    check(text.startsWith('(define (square x)') && await sn(page, 1).getAttribute('data-edited') === null, 'Reset restores the original code');

    await page.screenshot({ path: `${out}/embed-demo-light.png`, fullPage: true });
    await page.locator('#notebook').screenshot({ path: `${out}/embed-demo-notebook.png` });
    await sn(page, 5).screenshot({ path: `${out}/embed-demo-error.png` });
    await sn(page, 9).screenshot({ path: `${out}/embed-demo-tree.png` });
    // Dark mode: the page's own .dark class.
    await page.locator('button.toggle').click();
    await page.waitForSelector('[data-granola-snippet="1"][data-theme="dark"]', { timeout: T });
    const dark = await page.locator('[data-granola-snippet]').evaluateAll(hs => hs.every(h => h.getAttribute('data-theme') === 'dark'));
    check(dark, 'the page\'s .dark class turns every snippet dark');
    const bg = await sn(page, 1).locator('.ge').evaluate(e => getComputedStyle(e).backgroundColor);
    check(bg !== 'rgb(255, 255, 255)', `dark snippets have a dark background (${bg})`);
    await page.screenshot({ path: `${out}/embed-demo-dark.png`, fullPage: true });
    await page.locator('#notebook').screenshot({ path: `${out}/embed-demo-notebook-dark.png` });
    await sn(page, 9).screenshot({ path: `${out}/embed-demo-tree-dark.png` });
    check(errors.length === 0, `no page errors (${errors.join(' | ')})`);
    await page.close();
  }

  // ---------------------------------------------------------------- MkDocs-style page
  {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 }, colorScheme: 'light' });
    const errors = collectErrors(page);
    const wasmRequests = [];
    page.on('request', r => { if (/granola-embed(-full)?_bg\.wasm|granola-embed-full\.js/.test(r.url())) wasmRequests.push(r.url().replace(/.*\//, '')); });
    await page.goto(base + 'mkdocs.html');
    const count = await ready(page);
    check(count === 5, `the MkDocs page has 5 snippets (${count})`);
    check(await page.evaluate(() => GranolaEmbed.build) === 'full' && await sn(page, 1).getAttribute('data-build') === 'full',
      'a block with env.* makes the loader pick the full build');
    check(wasmRequests.join() === 'granola-embed-full.js,granola-embed-full_bg.wasm', `only the full build is loaded (${wasmRequests})`);
    const modes = await page.locator('[data-granola-snippet]').evaluateAll(hs => hs.map(h => h.getAttribute('data-mode')));
    check(modes.every(m => m === 'shared'), `data-session="shared" on the script tag makes the page one session (${modes})`);
    check(await page.locator('div.language-lisp.highlight').evaluateAll(ds => ds.every(d => getComputedStyle(d).display === 'none')),
      'Material\'s highlight wrappers are hidden with their blocks');
    for (let n = 1; n <= 5; n++) {
      const o = await runAndWait(page, n);
      const m = await sn(page, n).getAttribute('data-match');
      check(m === 'yes', `MkDocs snippet ${n} matches its expected output (${m}: ${o.trim().replace(/\n/g, ' | ')})`);
    }
    check(await sn(page, 3).locator('.ge-jobs li[data-job="1"]').getAttribute('data-state') === 'done', 'the streamed job shows as done');
    check(await sn(page, 4).locator('.ge-trees g.bt-node').count() === 3, 'the first tree is drawn (3 nodes)');
    await page.screenshot({ path: `${out}/embed-mkdocs-light.png`, fullPage: true });
    await page.screenshot({ path: `${out}/embed-mkdocs-light-top.png` });
    await page.locator('#palette').click();
    await page.waitForSelector('[data-granola-snippet="1"][data-theme="dark"]', { timeout: T });
    check(true, 'Material\'s slate scheme turns the snippets dark');
    await page.screenshot({ path: `${out}/embed-mkdocs-dark.png`, fullPage: true });
    await page.screenshot({ path: `${out}/embed-mkdocs-dark-top.png` });
    check(errors.length === 0, `no page errors (${errors.join(' | ')})`);
    await page.close();
  }

  // ---------------------------------------------------------------- system dark mode
  {
    const page = await browser.newPage({ viewport: { width: 800, height: 600 }, colorScheme: 'dark' });
    await page.goto(base + 'demo.html');
    await ready(page);
    check(await sn(page, 1).getAttribute('data-theme') === 'dark', 'with no hint from the page, prefers-color-scheme: dark is followed');
    await page.close();
  }

  // ---------------------------------------------------------------- from file://
  {
    const page = await browser.newPage({ viewport: { width: 900, height: 700 } });
    const errors = collectErrors(page);
    await page.goto(pathToFileURL(resolve(distDir, 'demo.html')).href);
    const count = await ready(page);
    check(count === 9, `from file:// the demo page works too (${count} snippets)`);
    const o = await runAndWait(page, 1);
    check(o.includes('144'), `from file:// a snippet runs (${o.trim()})`);
    await sn(page, 1).locator('.ge-src').click();
    await sn(page, 1).locator('.cm-editor, .ge-ta').first().waitFor({ timeout: T });
    check(await sn(page, 1).getAttribute('data-editor') === 'codemirror', 'from file:// the editor bundle loads too');
    check(errors.length === 0, `no page errors from file:// (${errors.join(' | ')})`);
    await page.goto(pathToFileURL(resolve(distDir, 'mkdocs.html')).href);
    check(await ready(page) === 5 && await page.evaluate(() => GranolaEmbed.build) === 'full', 'from file:// the full build loads too');
    const o5 = await runAndWait(page, 5);
    check(await sn(page, 5).getAttribute('data-match') === 'yes', `from file:// the full build runs env.* (${o5.trim()})`);
    await page.close();
  }

  // ---------------------------------------------------------------- pages made up here (same origin)
  {
    const page = await browser.newPage();
    const requests = [];
    page.on('request', r => requests.push(r.url()));
    const pages = {
      'none.html': `<!DOCTYPE html><link rel="icon" href="data:,"><p>no code here</p><script src="granola-embed.js"></script>`,
      'autorun.html': `<!DOCTYPE html><link rel="icon" href="data:,"><pre><code class="language-lisp">(print "autorun")\n(+ 40 2)</code></pre>
        <pre class="mine"><code>(* 6 7)</code></pre><script src="granola-embed.js" data-autorun data-selector="pre > code.language-lisp, pre.mine > code" data-theme="dark"></script>`,
      'full.html': `<!DOCTYPE html><link rel="icon" href="data:,"><pre><code class="language-lisp">(+ 1 2)</code></pre><script src="granola-embed.js" data-full></script>`,
    };
    for (const [name, body] of Object.entries(pages)) {
      await page.route(base + name, r => r.fulfill({ contentType: 'text/html', body }));
    }
    await page.goto(base + 'none.html');
    const n = await ready(page);
    const wasm = requests.filter(u => /granola-embed_bg/.test(u)).length;
    check(n === 0 && wasm === 0, `a page without snippets does not load the evaluator (${n} snippets, wasm requests ${wasm})`);
    await page.goto(base + 'autorun.html');
    check(await ready(page) === 2, 'data-selector chooses the blocks');
    await page.waitForSelector('[data-granola-snippet="2"][data-state="done"]', { timeout: T });
    const o1 = await outText(page, 1), o2 = await outText(page, 2);
    check(o1.includes('"autorun"') && o1.includes('42') && o2.includes('42'), `data-autorun runs every snippet on load (${o1.trim()} | ${o2.trim()})`);
    check(await sn(page, 1).getAttribute('data-theme') === 'dark', 'data-theme="dark" on the script tag fixes the theme');
    check(await page.evaluate(() => GranolaEmbed.build) === 'small', 'the autorun page runs on the small build');
    await page.goto(base + 'full.html');
    check(await ready(page) === 1 && await page.evaluate(() => GranolaEmbed.build) === 'full', 'data-full asks for the full build');
    await page.close();
  }
} finally {
  await browser.close();
}

if (failures.length) {
  console.error(`\n${failures.length} embed e2e check(s) failed:\n - ${failures.join('\n - ')}`);
  process.exit(1);
}
console.log('\nembed e2e: all checks passed');
