// Shared by the browser scripts (e2e.mjs, e2e-site.mjs, bench-browser.mjs): one place for how
// headless Chromium is started here and how page errors are collected.
import { chromium } from 'playwright-core';

// The system Chromium (Debian's package), as root, with the flags that stop its background
// networking (this machine's closed network refuses those connections).
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROME_BIN ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// Collect uncaught page errors and console errors of `page` into an array (returned).
export function collectErrors(page) {
  const errors = [];
  page.on('pageerror', e => errors.push(String(e)));
  page.on('console', m => { if (m.type() === 'error') errors.push(m.text()); });
  return errors;
}
