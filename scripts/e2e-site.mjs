// End-to-end test of the documentation site against dist/ in headless Chromium
// (playwright-core + the system Chromium).
// usage: node scripts/e2e-site.mjs http://127.0.0.1:8089/ target/e2e
// Clicks through a reference page (CodeMirror editor, Run, expected output, See Also link),
// the playground (gallery, run a job program, share link, REPL), the jobs panel (Cancel,
// details) and a bridge page (Send as operator), saving screenshots under the output
// directory. Exits non-zero on any failure.
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
