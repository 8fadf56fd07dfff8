// End-to-end test of the live tree view ("tree studio") against dist/ in headless Chromium.
// usage: node scripts/e2e-studio.mjs http://127.0.0.1:8089/ target/e2e
// A node-kind reference page runs its example and shows the view under it (ticked, scrubbed);
// the playground's gallery runs the guarded VLA policy (the VLA node shows its job) and the
// robot to its goal (the world canvas moves); the tour's robot step passes once the learner puts
// the planner leaf in; the view in dark mode and on a phone.
// Screenshots: studio-reference.png, studio-vla.png, studio-robot.png, studio-dark.png,
// studio-phone.png, studio-tour-robot.png under the output directory. Exits non-zero on any failure.
import { launchChromium, collectErrors } from './browser.mjs';
import { mkdirSync } from 'node:fs';

const url = (process.argv[2] ?? 'http://127.0.0.1:8080/').replace(/#.*$/, '');
const out = process.argv[3] ?? 'target/e2e';
mkdirSync(out, { recursive: true });
const T = 60000;
const failures = [];
const check = (ok, what) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); if (!ok) failures.push(what); };
const attr = (page, name) => page.locator('.studio').first().getAttribute(name);

async function gallery(page, label) {
  await page.goto(url + '#/playground');
  await page.waitForSelector('.playground .editor-cm', { timeout: T });
  await page.selectOption('.pg-gallery select', { label });
  await page.waitForFunction(l => document.querySelector('.playground .cm-content')?.innerText.length > 100, label, { timeout: T });
  await page.locator('.speed-select').selectOption('1');
  await page.locator('#playground-runner button.run').click();
  await page.waitForSelector('#playground-runner .studio', { timeout: T });
}

const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, colorScheme: 'light' });
  const errors = collectErrors(page);

  // ---- a node-kind page: the example's tree under it
  await page.goto(url + '#/reference/bt/nodes/sel');
  await page.waitForSelector('article.doc h1', { timeout: T });
  const ex = page.locator('.example').first();
  await ex.locator('button.run').click();
  await ex.locator('.studio .bt-node').first().waitFor({ timeout: T });
  check(await attr(page, 'data-tick') === '3', 'the sel page example shows its tree at tick 3');
  const before = await ex.locator('.studio .bt-node[data-id="1"]').getAttribute('class');
  await ex.locator('.studio .st-scrub').evaluate(el => { el.value = '1'; el.dispatchEvent(new InputEvent('input', { bubbles: true })); });
  await page.waitForFunction(() => document.querySelector('.studio')?.dataset.tick === '2', null, { timeout: T });
  const after = await ex.locator('.studio .bt-node[data-id="1"]').getAttribute('class');
  check(before !== after, `scrubbing back changes the colours (${before} -> ${after})`);
  await ex.locator('.studio .st-tick').click();
  await page.waitForFunction(() => document.querySelector('.studio')?.dataset.tick === '4', null, { timeout: T });
  check(true, 'Tick once ticks the example tree from the page');
  await ex.locator('.studio .studio-tree').focus();
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await ex.locator('.studio .studio-node h4').waitFor({ timeout: T });
  check(true, 'the keyboard selects a node and shows its details');
  await ex.locator('.studio').screenshot({ path: `${out}/studio-reference.png` });

  // ---- the guarded VLA policy: the VLA leaves show their jobs
  await gallery(page, 'Behaviour tree: a guarded VLA policy');
  await page.waitForSelector('#playground-runner[data-status="done"]', { timeout: T });
  const jobText = await page.locator('#playground-runner .studio .bt-job').allTextContents();
  check(jobText.some(t => t.length > 0), `VLA nodes show their job line (${jobText.join(' | ')})`);
  await page.locator('#playground-runner .studio .st-tick').click();
  await page.waitForTimeout(500);
  await page.locator('#playground-runner .studio').screenshot({ path: `${out}/studio-vla.png` });

  // ---- the robot to its goal: the world canvas moves
  await gallery(page, 'Behaviour tree: the robot to its goal (2-D world)');
  await page.waitForSelector('#playground-runner .world-canvas', { timeout: T });
  await page.waitForFunction(() => /Robot at/.test(document.querySelector('.world-caption')?.innerText ?? ''), null, { timeout: T });
  // The gallery's drive does not wait for the world's clock, so it is over in moments at any
  // job-clock speed: the robot has left its start (1, 1) and stepped many times.
  await page.waitForSelector('#playground-runner[data-status="done"]', { timeout: T });
  const c2 = await page.locator('.world-caption').innerText();
  const steps = Number((/step (\d+)/.exec(c2) ?? [])[1] ?? 0);
  check(!c2.includes('(1.00, 1.00)') && steps > 100, `the robot moves (${c2})`);
  await page.locator('#playground-runner .studio').screenshot({ path: `${out}/studio-robot.png` });
  const done = await page.locator('#playground-runner .runner-output').innerText();
  check(/goal/.test(done), 'the robot run ends with its report');

  // ---- the tour's robot step: the learner puts the planner leaf in, the robot reaches its goal
  await page.goto(url + '#/tour');
  await page.waitForSelector('.tour .editor-cm', { timeout: T });
  await page.locator('.tour-step button', { hasText: 'The robot drives itself' }).click();
  await page.waitForFunction(() => document.querySelector('#tour-title')?.innerText.includes('robot'), null, { timeout: T });
  await page.waitForFunction(() => (document.querySelector('.tour .cm-content')?.innerText ?? '').includes('plan-action'), null, { timeout: T });
  // the editor's own API (as the browser tests do): typing 1,700 characters is slow
  await page.evaluate(() => {
    const ed = document.querySelector('.tour .editor-host').__granolaEditor;
    ed.setText(ed.getText().replace('; (plan-action', '(plan-action'));
  });
  await page.locator('#tour-runner button.run').click();
  await page.waitForSelector('.tour-verdict.ok', { timeout: T });
  check(true, 'the tour\'s robot step passes once the planner leaf is in');
  await page.waitForSelector('#tour-runner .world-canvas', { timeout: T });
  const tourCaption = await page.locator('#tour-runner .world-caption').innerText();
  check(/from the goal/.test(tourCaption), `the tour shows the robot's world (${tourCaption})`);
  await page.screenshot({ path: `${out}/studio-tour-robot.png`, fullPage: true });

  // ---- dark mode
  const dark = await browser.newPage({ viewport: { width: 1200, height: 900 }, colorScheme: 'dark' });
  const darkErrors = collectErrors(dark);
  await dark.goto(url + '#/reference/bt/nodes/seq');
  await dark.waitForSelector('.example button.run', { timeout: T });
  await dark.locator('.example button.run').first().click();
  await dark.locator('.studio .bt-node').first().waitFor({ timeout: T });
  await dark.waitForTimeout(300);
  await dark.locator('.studio').first().screenshot({ path: `${out}/studio-dark.png` });
  check(darkErrors.length === 0, `no errors in dark mode (${darkErrors.join(' | ')})`);
  await dark.close();

  // ---- a phone
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await phone.goto(url + '#/reference/bt/nodes/sel');
  await phone.waitForSelector('.example button.run', { timeout: T });
  await phone.locator('.example button.run').first().click();
  await phone.locator('.studio .bt-node').first().waitFor({ timeout: T });
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 1, `no horizontal page scrolling on a phone with the view open (overflow ${overflow}px)`);
  await phone.locator('.studio').first().screenshot({ path: `${out}/studio-phone.png` });
  await phone.close();

  check(errors.length === 0, `no page errors (${errors.join(' | ')})`);
} finally {
  await browser.close();
}
if (failures.length) {
  console.error(`STUDIO E2E FAILED: ${failures.length} check(s)`);
  process.exit(1);
}
console.log(`STUDIO E2E PASSED (screenshots in ${out}/)`);
