// Screenshots of the main pages, for comparing the site before and after a change, in three
// variants: light and dark (1400 px wide) and a phone (390 px, light).
// usage: node scripts/screenshots.mjs http://127.0.0.1:8089/ target/shots/after [light,dark,phone]
// Saves <page>-<variant>.png: home (after a job ran from its second example), reference
// (map.get, first example run), playground (a run with values inline), jobs (with two jobs),
// bridge (the run_simulation page after a Send), tour. Full pages. Exits non-zero when a page
// does not come up.
import { launchChromium, collectErrors } from './browser.mjs';
import { mkdirSync } from 'node:fs';

const url = (process.argv[2] ?? 'http://127.0.0.1:8080/').replace(/#.*$/, '');
const out = process.argv[3] ?? 'target/shots';
const only = (process.argv[4] ?? 'light,dark,phone').split(',');
mkdirSync(out, { recursive: true });
const T = 60000;

const VARIANTS = {
  light: { viewport: { width: 1400, height: 1000 }, colorScheme: 'light' },
  dark: { viewport: { width: 1400, height: 1000 }, colorScheme: 'dark' },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, colorScheme: 'light' },
};

const browser = await launchChromium();
let failed = false;
try {
  for (const variant of only) {
    const page = await browser.newPage(VARIANTS[variant]);
    const errors = collectErrors(page);
    await page.goto(url + '#/');
    await page.evaluate(() => {
      localStorage.clear();
      localStorage.setItem('granola.playground.inline', '1');
    });
    await page.reload();
    const shot = async (name, route, ready, prepare) => {
      try {
        await page.goto(url + '#' + route);
        await page.waitForSelector(ready, { timeout: T });
        if (prepare) await prepare();
        await page.waitForTimeout(800);
        await page.evaluate(() => window.scrollTo(0, 0)); // a sticky header is drawn where the page was scrolled to
        await page.screenshot({ path: `${out}/${name}-${variant}.png`, fullPage: true });
        console.log(`ok   ${name}-${variant}.png`);
      } catch (e) {
        failed = true;
        console.log(`FAIL ${name}-${variant}: ${e.message.split('\n')[0]}`);
      }
    };
    await shot('home', '/', '#home-runner[data-status="done"]', async () => {
      await page.locator('#job-runner button.run').click();
      await page.waitForSelector('#job-runner[data-status="done"], #job-runner[data-status="sleeping"]', { timeout: T });
      await page.waitForTimeout(1500);
    });
    await shot('reference', '/reference/map.get', '.example .editor-cm .cm-editor', async () => {
      await page.locator('.example').first().locator('button.run').click();
      await page.locator('.example').first().locator('.runner[data-status="done"]').waitFor({ timeout: T });
    });
    await shot('playground', '/playground', '.playground .editor-cm', async () => {
      await page.locator('#playground-runner button.run').click();
      await page.waitForSelector('#playground-runner[data-status="done"]', { timeout: T });
    });
    await shot('jobs', '/jobs', '.jobs-page', async () => {
      await page.waitForFunction(() => window.granola !== undefined, null, { timeout: T });
      await page.evaluate(() => {
        window.granola.submit({ instruction: 'pick up the cup', action_space: { dims: 2 } });
        window.granola.submit({ instruction: 'wave', action_space: { dims: 1 } });
      });
      await page.waitForTimeout(1500);
    });
    await shot('bridge', '/bridge/run_simulation', '.bridge-console', async () => {
      await page.locator('.bridge-console button.bridge-send').first().click();
      await page.waitForSelector('.bridge-status', { timeout: T });
    });
    await shot('tour', '/tour', '.tour .editor-cm');
    if (errors.length) console.log(`page errors (${variant}): ${errors.join(' | ')}`);
    await page.close();
  }
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
