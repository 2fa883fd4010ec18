// End-to-end test of the operator console, in a real browser against a running gateway.
//
// A plain Node script (no test runner): playwright-core drives the system's Chromium (never a
// downloaded browser). The harness starts the gateway with a failed delivery and two operator
// accounts, then runs:
//
//   CONSOLE_URL=https://127.0.0.1:PORT/ OPERATOR_NAME=.. OPERATOR_PASSWORD=.. \
//   VIEWER_NAME=.. VIEWER_PASSWORD=.. PUSH_COMMAND='..' PUSH_MEMBER=icva \
//   EXPECT_SOURCE_FIELD='Visit date' FAILED_DELIVERY_ID=dlv_.. FAILED_RECIPIENT=spt \
//   SCREENSHOT_DIR=/tmp/shots node tests/console/console_e2e.mjs
//
// Every wait is bounded (20 s) and waits for a condition, never for a fixed time. Exit 0 and
// "console e2e: ok" on success; otherwise the failed step, its error and failure.png, exit 1.
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const TIMEOUT = 20_000;

function env(name, fallback) {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === '') throw new Error(`the environment variable ${name} is not set`);
  return value;
}

function readConfig() {
  return {
    url: env('CONSOLE_URL'),
    operator: { name: env('OPERATOR_NAME'), password: env('OPERATOR_PASSWORD') },
    viewer: { name: env('VIEWER_NAME'), password: env('VIEWER_PASSWORD') },
    pushCommand: env('PUSH_COMMAND'),
    pushMember: env('PUSH_MEMBER'),
    expectSourceField: process.env.EXPECT_SOURCE_FIELD || '',
    failedDelivery: env('FAILED_DELIVERY_ID'),
    failedRecipient: env('FAILED_RECIPIENT'),
    screenshots: process.env.SCREENSHOT_DIR || path.join(os.tmpdir(), 'opcat-console-e2e'),
  };
}

let config;
try {
  config = readConfig();
  fs.mkdirSync(config.screenshots, { recursive: true });
} catch (err) {
  console.error(`console e2e: FAILED at step "setup": ${err.message}`);
  process.exit(1);
}

const found = {}; // what one step finds for the next (the pushed transfer's seq)

const tid = (id) => `[data-testid="${id}"]`;
const css = (value) => JSON.stringify(String(value)); // a quoted CSS attribute value

// Waits until a locator is visible (or hidden/attached/detached), with a message that says what.
async function waitFor(locator, what, state = 'visible') {
  try {
    await locator.first().waitFor({ state, timeout: TIMEOUT });
  } catch (err) {
    throw new Error(`${what}: not ${state} within ${TIMEOUT / 1000} s`);
  }
}

// Waits until a predicate over the page holds (polled by the browser), with a message.
async function waitUntil(page, what, fn, arg) {
  try {
    await page.waitForFunction(fn, arg, { timeout: TIMEOUT });
  } catch (err) {
    throw new Error(`${what}: not true within ${TIMEOUT / 1000} s`);
  }
}

async function waitForText(page, selector, expected, what) {
  await waitUntil(page, `${what} (expected text "${expected}")`,
    ([sel, text]) => { const el = document.querySelector(sel); return Boolean(el && el.textContent.includes(text)); },
    [selector, expected]);
}

async function screenshot(page, name) {
  await page.screenshot({ path: path.join(config.screenshots, name), fullPage: true });
}

async function login(page, who, what) {
  const form = page.locator(tid('login-form'));
  await waitFor(form, `the login form (${what})`);
  await form.locator('input[name="name"]').fill(who.name);
  await form.locator('input[name="password"]').fill(who.password);
  await page.locator(tid('login-submit')).click();
}

async function gotoHash(page, hash) {
  await page.evaluate((h) => { location.hash = h; }, hash);
}

// ------------------------------------------------------------------ the steps

const steps = [
  ['1. login and the overview', async (page) => {
    await page.goto(config.url, { waitUntil: 'domcontentloaded', timeout: TIMEOUT });
    await login(page, { name: config.operator.name, password: `${config.operator.password}-wrong` }, 'first visit');
    await waitFor(page.locator(tid('login-error')), 'the login error after a wrong password');
    const message = (await page.locator(tid('login-error')).textContent()).trim();
    if (!message) throw new Error('the login error is empty');

    await login(page, config.operator, 'after the wrong password');
    await waitFor(page.locator(tid('overview')), 'the overview after logging in as the operator');
    await waitUntil(page, 'the members table with 21 member rows',
      (sel) => document.querySelectorAll(sel).length === 21, `${tid('members-table')} ${tid('member-row')}`);
    await waitFor(page.locator(`${tid('recipient-card-' + config.failedRecipient)}`), `the recipient card of ${config.failedRecipient}`);
    await waitFor(page.locator(tid('records-chart')).or(page.locator('.chart-slot .empty')), 'the records-per-day chart');
    await screenshot(page, 'overview.png');
  }],

  ['2. a push appears live in the transfers', async (page) => {
    await page.locator(tid('nav-transfers')).click();
    await waitUntil(page, 'the transfers page', () => location.hash.startsWith('#/transfers'));
    await waitFor(page.locator(`${tid('transfers-table')}[data-loaded="true"]`), 'the transfers table, loaded', 'attached');
    await waitForText(page, tid('live-indicator'), 'live', 'the live indicator');

    const before = await page.evaluate((sel) => Math.max(0, ...[...document.querySelectorAll(sel)].map((r) => Number(r.dataset.seq))), tid('transfer-row'));
    // A marker that a reload would wipe: the new row must come without one.
    await page.evaluate(() => { window.__consoleE2eMarker = 'still-here'; });
    try {
      execSync(config.pushCommand, { stdio: 'pipe', timeout: 120_000, shell: '/bin/sh' });
    } catch (err) {
      throw new Error(`PUSH_COMMAND failed (exit ${err.status}): ${String(err.stderr || err.message).slice(0, 2000)}`);
    }
    await waitUntil(page, `a new transfer row of ${config.pushMember} (seq above ${before})`,
      ([sel, seq]) => [...document.querySelectorAll(sel)].some((r) => Number(r.dataset.seq) > seq),
      [`${tid('transfer-row')}[data-member=${css(config.pushMember)}]`, before]);
    const marker = await page.evaluate(() => window.__consoleE2eMarker);
    if (marker !== 'still-here') throw new Error('the page was reloaded: the new transfer did not arrive live');
    await screenshot(page, 'transfers.png');
    found.seq = await page.evaluate(([sel, seq]) => Math.max(...[...document.querySelectorAll(sel)]
      .map((r) => Number(r.dataset.seq)).filter((n) => n > seq)), [`${tid('transfer-row')}[data-member=${css(config.pushMember)}]`, before]);
  }],

  ['3. the submission and its errors', async (page) => {
    const row = page.locator(`${tid('transfer-row')}[data-seq="${found.seq}"]`);
    const submission = await row.getAttribute('data-submission');
    if (!submission) throw new Error(`the new transfer row (seq ${found.seq}) has no submission`);
    await row.locator('td').nth(1).click(); // a plain cell: the row itself navigates
    await waitUntil(page, `the submission page of ${submission}`, (id) => location.hash === `#/submissions/${encodeURIComponent(id)}`, submission);
    await waitFor(page.locator(tid('submission-errors')), 'the submission errors table');
    await waitFor(page.locator(`${tid('submission-errors')} ${tid('error-row')}`), 'an error row in the submission errors table');
    if (config.expectSourceField) {
      await waitForText(page, tid('submission-errors'), config.expectSourceField, 'the member\'s column name in the errors table');
    }
    await screenshot(page, 'submission.png');
  }],

  ['4. two clicks to a failed delivery\'s cause, and re-queue', async (page) => {
    await page.locator(tid('nav-overview')).click();
    const failedLink = page.locator(tid(`recipient-failed-${config.failedRecipient}`));
    await waitFor(failedLink, `the failed count of ${config.failedRecipient} on the overview`);
    await failedLink.click(); // click 1
    await waitUntil(page, 'the failed deliveries list',
      () => location.hash.startsWith('#/deliveries?') && location.hash.includes('state=failed'));
    const row = page.locator(`${tid('delivery-row')}[data-delivery=${css(config.failedDelivery)}]`);
    await waitFor(row, `the row of ${config.failedDelivery} among the failed deliveries`);
    await row.locator('td').nth(2).click(); // click 2
    const failure = page.locator(tid('delivery-failure'));
    await waitFor(failure, 'the failure cause on the delivery page');
    const cause = (await failure.textContent()).trim();
    if (!cause) throw new Error('the failure cause is empty');
    await waitForText(page, tid('delivery-state'), 'failed', 'the delivery state before re-queuing');
    await page.locator(tid('requeue-button')).click();
    await waitForText(page, tid('delivery-state'), 'pending', 'the delivery state after re-queuing');
    await screenshot(page, 'delivery.png');
  }],

  ['5. a change without the CSRF token is refused', async (page) => {
    const { status, code } = await page.evaluate(async (id) => {
      const res = await fetch(`/v1/deliveries/${encodeURIComponent(id)}/requeue`, {
        method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: '{}',
      });
      const body = await res.json().catch(() => ({}));
      return { status: res.status, code: body?.error?.code };
    }, config.failedDelivery);
    if (status !== 403 || code !== 'csrf') {
      throw new Error(`POST .../requeue without X-CSRF-Token answered ${status} ${code}, not 403 csrf`);
    }
  }],

  ['6. a viewer cannot re-queue nor manage operators', async (page) => {
    await page.locator(tid('logout')).click();
    await login(page, config.viewer, 'after signing out');
    await waitFor(page.locator(tid('whoami')), 'the header after logging in as the viewer');
    await waitForText(page, tid('role'), 'viewer', 'the viewer\'s role in the header');
    if (await page.locator(tid('nav-operators')).isVisible()) throw new Error('a viewer sees the operators link');
    await gotoHash(page, `#/deliveries/${encodeURIComponent(config.failedDelivery)}`);
    await waitFor(page.locator(tid('delivery-state')), 'the delivery page as the viewer');
    const state = (await page.locator(tid('delivery-state')).textContent()).trim();
    if (await page.locator(tid('requeue-button')).count()) throw new Error(`a viewer sees the requeue button (delivery ${state})`);
    await gotoHash(page, '#/deliveries');
    await waitFor(page.locator(tid('consolidations-table')), 'the consolidations list as the viewer');
    if (await page.locator(tid('consolidate-button')).count()) throw new Error('a viewer sees the consolidate button');
  }],
];

// ------------------------------------------------------------------ run

let browser;
let page;
let current = 'launching the browser';
const pageErrors = [];
let exitCode = 0;
try {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  // Script errors and Content-Security-Policy violations fail the run at the next step's end.
  page.on('pageerror', (err) => pageErrors.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text())) pageErrors.push(`CSP: ${msg.text()}`);
  });
  for (const [name, run] of steps) {
    current = name;
    await run(page);
    if (pageErrors.length) throw new Error(pageErrors.join('\n'));
    console.log(`  ok  ${name}`);
  }
  console.log('console e2e: ok');
} catch (err) {
  exitCode = 1;
  console.error(`console e2e: FAILED at step "${current}": ${err.message}`);
  if (page) {
    try {
      console.error(`  page: ${page.url()}`);
      await page.screenshot({ path: path.join(config.screenshots, 'failure.png'), fullPage: true });
      console.error(`  screenshot: ${path.join(config.screenshots, 'failure.png')}`);
    } catch (shotErr) {
      console.error(`  (no screenshot: ${shotErr.message})`);
    }
  }
} finally {
  if (browser) await browser.close().catch(() => {});
}
process.exit(exitCode);
