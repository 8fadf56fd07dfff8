// End-to-end smoke test of dist/ in headless Chromium (playwright-core + the system Chromium).
// usage: node scripts/e2e.mjs http://127.0.0.1:8089/ target/e2e
// Loads the home page, waits for the example that runs on load, checks its output, runs the
// job example and watches the job list, calls the JS API, then saves screenshots
// (desktop light + dark, phone) under the output directory. Exits non-zero on any failure.
import { launchChromium, collectErrors } from './browser.mjs';
import { mkdirSync } from 'node:fs';

const url = process.argv[2] ?? 'http://127.0.0.1:8080/';
const out = process.argv[3] ?? 'target/e2e';
mkdirSync(out, { recursive: true });
const T = 60000; // generous: a cold Chromium start right after a build can take 10-20 s
const failures = [];
const check = (ok, what) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); if (!ok) failures.push(what); };

const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
  const errors = collectErrors(page);

  // What the page fetches: the first load must not fetch docs.json nor a module loaded on demand.
  const fetched = [];
  page.on('request', r => fetched.push(new URL(r.url()).pathname.split('/').pop()));
  const t0 = Date.now();
  await page.goto(url);
  const home = page.locator('#home-runner');
  await home.waitFor({ timeout: T });
  await page.waitForSelector('#home-runner[data-status="done"], #home-runner[data-status="error"]', { timeout: T });
  const loadMs = Date.now() - t0;
  const homeOut = await home.locator('.runner-output').innerText();
  console.log(`home example output (${loadMs} ms after navigation):\n${homeOut}`);
  check(await home.getAttribute('data-status') === 'done', 'the home example ran to the end on load');
  check(homeOut.includes('144'), 'the home example shows (square 12) => 144');
  check(homeOut.includes('"hello from muslisp"'), 'the home example shows printed output');
  check(homeOut.includes('(1 4 9 16 25)'), 'the home example shows a list value');

  const modules = await page.evaluate(() => window.granolaModules ?? null);
  console.log('modules loaded on demand:', JSON.stringify(modules));
  check(modules && modules.extra, 'index.html lists the module loaded on demand (extra)');
  check(!fetched.includes('docs.json'), 'the home page does not fetch docs.json');
  check(!fetched.some(f => /^granola-extra-/.test(f)), `the home page loads no on-demand module (${fetched.join(' ')})`);

  // Run click -> first output, measured by the runner itself.
  await home.locator('button.run').click();
  await page.waitForSelector('#home-runner[data-status="done"]', { timeout: T });
  const firstMs = Number(await home.getAttribute('data-first-output-ms'));
  console.log(`run click to first output: ${firstMs} ms`);
  check(Number.isFinite(firstMs), 'the runner reports its time to first output');

  // The JS API.
  await page.waitForFunction(() => window.granola !== undefined, null, { timeout: T });
  const api = await page.evaluate(async () => await window.granola.eval('(+ 1 2)\n(print "api")'));
  console.log('granola.eval:', JSON.stringify(api));
  check(api.values[0] === '3' && api.stdout.includes('"api"') && api.error === null, 'granola.eval returns values and stdout');
  const bad = await page.evaluate(async () => await window.granola.eval('(+ 1\n  (car 5))'));
  check(typeof bad.error === 'string' && /line 2, column \d+/.test(bad.error), `granola.eval reports error positions (${bad.error})`);

  const sub = await page.evaluate(() => {
    const id = window.granola.submit({ instruction: 'wave', action_space: { dims: 1 } });
    return { id, poll: window.granola.poll(id), jobs: window.granola.jobs() };
  });
  console.log('granola.submit/poll:', JSON.stringify({ id: sub.id, poll: sub.poll }));
  check(typeof sub.id === 'number' && sub.jobs.some(j => j.id === sub.id && j.kind === 'vla'), 'granola.submit makes a job that granola.jobs lists');
  check(typeof sub.poll?.status === 'string', 'granola.poll returns the poll map');

  // A program that names a robotics builtin loads the module with the robotics builtins first, then runs.
  const bt = await page.evaluate(async () => await window.granola.eval('(bt.tick (bt.new-instance (bt (succeed))))'));
  check(bt.error === null && bt.values[0] === 'success', `a behaviour tree runs after its module loads (${JSON.stringify(bt)})`);
  check(fetched.some(f => /^granola-extra-.*\.wasm$/.test(f)), 'the module with the robotics builtins was fetched on demand');

  // A job from Lisp, watched in the job list.
  await page.locator('#job-runner button.run').click();
  await page.waitForSelector('.card .jobs-panel .job-row', { timeout: T });
  const firstState = await page.locator('.card .jobs-panel .job-row').first().getAttribute('data-state');
  check(['queued', 'running', 'streaming'].includes(firstState), `a submitted job shows up active (${firstState})`);
  // the README picture: the whole home page while the job streams
  await page.waitForSelector('.card .jobs-panel .job-row[data-state="streaming"]', { timeout: T });
  await page.setViewportSize({ width: 1280, height: 1560 });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${out}/readme.png` });
  await page.setViewportSize({ width: 1280, height: 900 });
  // let the job stream a little on the watchable clock, then take the pictures
  await page.waitForTimeout(1500);
  await page.locator('#job-runner').locator('xpath=..').screenshot({ path: `${out}/job-light.png` });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${out}/home-light.png` });

  // The theme toggle forces the other theme and is remembered across a reload.
  await page.locator('button.theme-toggle').click();
  const forced = await page.evaluate(() => document.documentElement.getAttribute('data-theme'));
  await page.reload();
  await page.waitForSelector('#home-runner[data-status="done"]', { timeout: T });
  const after = await page.evaluate(() => document.documentElement.getAttribute('data-theme'));
  check(forced === 'dark' && after === 'dark', `the theme toggle is remembered (${forced} → ${after})`);
  await page.locator('button.theme-toggle').click();
  check(await page.evaluate(() => document.documentElement.getAttribute('data-theme')) === null, 'a second click follows the OS again');

  // Dark theme via the OS preference, and a phone viewport.
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(url + '#/jobs');
  await page.waitForSelector('.page-jobs', { timeout: T });
  await page.goto(url + '#/');
  await page.waitForSelector('#home-runner[data-status="done"]', { timeout: T });
  await page.screenshot({ path: `${out}/home-dark.png` });
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await phone.goto(url);
  await phone.waitForSelector('#home-runner[data-status="done"]', { timeout: T });
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 1, `no horizontal scrolling on a phone (overflow ${overflow}px)`);
  await phone.screenshot({ path: `${out}/home-phone.png` });
  check(!(await phone.locator('#nav').isVisible()), 'the phone layout folds the navigation away');
  await phone.locator('.menu-toggle').click();
  await phone.locator('#nav a[href="#/jobs"]').waitFor({ state: 'visible', timeout: T });
  await phone.locator('#nav a[href="#/jobs"]').click();
  await phone.waitForSelector('main.page-jobs', { timeout: T });
  check(true, 'the phone menu opens and navigates');

  check(errors.length === 0, `no page errors (${errors.join(' | ')})`);
} finally {
  await browser.close();
}
if (failures.length) {
  console.error(`E2E FAILED: ${failures.length} check(s)`);
  process.exit(1);
}
console.log(`E2E PASSED (screenshots in ${out}/)`);
