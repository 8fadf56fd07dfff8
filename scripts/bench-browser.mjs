// Browser figures for `make bench`: time from a Run click to the first output, the time to
// evaluate each example of the VLA reference pages through the JS API, and how responsive the
// page stays while an endless loop runs (timer lateness, Stop), in headless Chromium against
// dist/ served at the given URL.
// usage: node scripts/bench-browser.mjs http://127.0.0.1:PORT/
import { launchChromium } from './browser.mjs';
import { readFileSync, readdirSync, existsSync } from 'node:fs';

const url = process.argv[2] ?? 'http://127.0.0.1:8080/';
const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// lisp blocks of the VLA pages (the seed examples' programs) and the getting-started guide
const pages = ['docs/reference/builtins/vla', 'docs/reference/guides']
  .filter(existsSync)
  .flatMap(d => readdirSync(d).filter(f => f.endsWith('.md')).map(f => `${d}/${f}`));
const examples = [];
for (const p of pages) {
  const text = readFileSync(p, 'utf8');
  const re = /```lisp\n([\s\S]*?)```/g;
  let m, n = 0;
  while ((m = re.exec(text))) examples.push({ name: `${p.replace(/^docs\/reference\//, '')}#${++n}`, src: m[1] });
}

const browser = await launchChromium();
try {
  const page = await browser.newPage();
  const t0 = Date.now();
  await page.goto(url);
  await page.waitForSelector('#home-runner[data-status="done"]', { timeout: 60000 });
  console.log(`page load to the home example's results: ${Date.now() - t0} ms`);
  const first = [];
  for (let i = 0; i < 7; i++) {
    await page.locator('#home-runner button.run').click();
    await page.waitForSelector('#home-runner[data-status="done"]', { timeout: 60000 });
    first.push(Number(await page.locator('#home-runner').getAttribute('data-first-output-ms')));
  }
  console.log(`Run click to first output (home example, median of 7): ${median(first).toFixed(1)} ms (target < 50 ms)`);
  // real-time job clock, so examples that sleep don't wait on the watchable default
  await page.selectOption('.speed-select', '1');
  await page.waitForFunction(() => window.granola !== undefined);
  console.log(`${'example'.padEnd(44)} ${'eval ms (median of 5)'.padStart(22)}  outcome`);
  for (const ex of examples) {
    const runs = [];
    let last;
    for (let i = 0; i < 5; i++) {
      last = await page.evaluate(async src => {
        const t = performance.now();
        const r = await window.granola.eval(src);
        return { ms: performance.now() - t, error: r.error, n: r.values.length };
      }, ex.src);
      runs.push(last.ms);
    }
    console.log(`${ex.name.padEnd(44)} ${median(runs).toFixed(1).padStart(22)}  ${last.error ? 'error: ' + last.error : last.n + ' values'}`);
  }
  // The evaluator benchmarks (bench/*.lisp) through the same JS API, to compare with the
  // native CPU times of bench/run.sh (issue 16: the page at most 1.5x native). Each run is a
  // fresh interpreter driven in slices by the page's run loop, so the figure includes the
  // per-slice overhead. (Programs that need a file system are reported as errors.)
  const benches = existsSync('bench') ? readdirSync('bench').filter(f => f.endsWith('.lisp')).sort() : [];
  if (benches.length) console.log(`${'bench/*.lisp through granola.eval'.padEnd(44)} ${'ms (median of 3)'.padStart(22)}  outcome`);
  for (const f of benches) {
    const src = readFileSync(`bench/${f}`, 'utf8');
    const runs = [];
    let last;
    for (let i = 0; i < 3; i++) {
      last = await page.evaluate(async src => {
        const t = performance.now();
        const r = await window.granola.eval(src);
        return { ms: performance.now() - t, error: r.error, value: r.values[r.values.length - 1] };
      }, src);
      runs.push(last.ms);
    }
    const outcome = last.error ? 'error: ' + last.error : String(last.value).slice(0, 40);
    console.log(`${f.padEnd(44)} ${median(runs).toFixed(1).padStart(22)}  ${outcome}`);
  }
  // Responsiveness while an endless loop runs in the playground REPL (the browser run loop
  // yields every frame): how late a 20 ms timer fires, and how long Stop takes to end the run.
  // The browser tests check these by order only; the figures live here.
  await page.goto(new URL('#/playground', url).href);
  const input = page.locator('textarea.repl-input');
  await input.waitFor({ timeout: 60000 });
  for (const line of ['(define (spin n) (spin (+ n 1)))', '(spin 0)']) {
    await input.fill(line);
    await input.press('Enter');
  }
  await page.waitForSelector('.repl[data-busy="true"]', { timeout: 60000 });
  const late = await page.evaluate(async () => {
    const out = [];
    for (let i = 0; i < 15; i++) {
      const t = performance.now();
      await new Promise(r => setTimeout(r, 20));
      out.push(performance.now() - t - 20);
    }
    return out;
  });
  console.log(`20 ms timer while an endless loop runs: late by ${median(late).toFixed(1)} ms median, ${Math.max(...late).toFixed(1)} ms worst of 15`);
  const stopMs = await page.evaluate(async () => {
    const repl = document.querySelector('.repl');
    const t = performance.now();
    document.querySelector('.repl-input-row button.stop').click();
    while (repl.dataset.busy === 'true') await new Promise(r => setTimeout(r, 1));
    return performance.now() - t;
  });
  console.log(`Stop to the end of the run (REPL, endless loop): ${stopMs.toFixed(1)} ms`);
} finally {
  await browser.close();
}
