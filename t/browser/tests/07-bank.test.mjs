// SPDX-License-Identifier: Apache-2.0
// The demo's bank (conf/demo/cgi/bank.cgi behind "Require stepup" and
// "StepupBackendChallenge On"): a transfer under $1,000 goes through with
// the ordinary step-up; for $1,000 or more the application itself asks for
// a hardware security key (an RFC 9470 challenge, acr_values="phrh",
// max_age=0), the module keeps the form and shows it on the confirm page.
// A cancelled security key leaves the user signed in, the transfer not
// made. Without JavaScript, a transfer whose ordinary step-up expired is
// kept and sent on with one "Continue" button. Confirmed with the security
// key, the transfer is made once, for the amount typed: the confirmation
// of the kept request earns a token bound to its transaction (v2), which
// POST resume runs it with, so the bank sees STEPUP_ACR phrh and
// STEPUP_TXN.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, fresh, launch, pathOf, dropStepupCookie, installSoftSecurityKey,
  addPasskey, openWithPassword, confirmWithPassword, removeAllPasskeys,
} from './helpers.mjs';
import { SoftSecurityKey } from './softkey.mjs';

/* A security key whose user can decline the touch (cancel = true). */
class DecliningKey extends SoftSecurityKey {
  get(options, origin) {
    if (this.cancel) {
      const error = new Error('NotAllowedError: the user declined the security key');
      error.name = 'NotAllowedError';
      throw error;
    }
    return super.get(options, origin);
  }
}

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });
beforeEach(async () => { await removeAllPasskeys(browser); });

/* The balance on the account page, in cents. */
async function balance(page) {
  const text = await page.locator('#balance').innerText();
  const m = /\$([\d,]+)\.(\d\d)/.exec(text);
  assert.ok(m, `the balance is shown: "${text}"`);
  return Number(m[1].replace(/,/g, '')) * 100 + Number(m[2]);
}

/* On the account page: types the transfer and presses "Transfer". */
async function transfer(page, amount, to) {
  await page.getByLabel('Amount ($)').fill(amount);
  await page.getByLabel('To', { exact: true }).fill(to);
  await Promise.all([page.waitForNavigation(),
    page.getByRole('button', { name: 'Transfer' }).click()]);
}

/* A security key registered on the manage page (after the password), then
 * the account page open; returns the balance. */
async function withSecurityKey(page, context, key) {
  await installSoftSecurityKey(context, key);
  await dropStepupCookie(context);
  await openWithPassword(page, '/stepup/manage');
  await addPasskey(page, 'USB key');
  await page.goto(BASE + '/bank/');
  assert.equal(await page.title(), 'Your account', 'the account opens');
  return balance(page);
}

/* After "Transfer" of a large amount: Confirm access for a security key,
 * with the transfer kept and shown. */
async function expectSecurityKeyForTransfer(page, amount, to) {
  assert.equal(await page.title(), 'Confirm access', 'the bank asks to confirm');
  const url = new URL(page.url());
  assert.equal(url.pathname, '/stepup/');
  assert.equal(url.searchParams.get('acr'), 'phrh', 'with a hardware security key');
  assert.match(url.searchParams.get('resume') || '', /^[A-Za-z0-9_-]{22}$/,
    'the transfer was kept under an id');
  const main = await page.locator('main').innerText();
  assert.match(main, /Confirm access to continue: POST \/bank\/transfer/,
    'the page says what is about to happen');
  assert.match(main, new RegExp(`amount\\s*${amount}`), 'and shows the amount');
  assert.match(main, new RegExp(`to\\s*${to}`), 'and to whom');
}

test('a transfer under $1,000 goes through with the ordinary step-up',
  { timeout: 60000 }, async () => {
    const { context, page } = await fresh(browser);
    try {
      await openWithPassword(page, '/bank/');
      assert.equal(await page.title(), 'Your account');
      const before = await balance(page);
      await transfer(page, '250', 'Bob');
      assert.equal(await page.title(), 'Transfer sent', 'the bank answers');
      assert.equal(await page.locator('#result').innerText(), '$250.00 went to Bob.',
        'the page shows the amount transferred');
      await page.goto(BASE + '/bank/');
      assert.equal(await balance(page), before - 25000, 'the balance is $250 less');
    } finally {
      await context.close();
    }
  });

test('without JavaScript, a transfer whose step-up expired is kept: the password, then "Continue"',
  { timeout: 60000 }, async () => {
    const { context, page } = await fresh(browser, { javaScriptEnabled: false });
    try {
      await openWithPassword(page, '/bank/');
      const before = await balance(page);
      // the step-up ends (as after five minutes): Require stepup denies the
      // transfer, which is kept while the user confirms
      await dropStepupCookie(context);
      await transfer(page, '300', 'Dave');
      assert.equal(await page.title(), 'Confirm access', 'the transfer needs a step-up');
      assert.match(await page.locator('main').innerText(),
        /Confirm access to continue: POST \/bank\/transfer/, 'the page shows the transfer');
      await confirmWithPassword(page);
      const cont = page.getByRole('button', { name: 'Continue' });
      await cont.waitFor();
      await Promise.all([page.waitForNavigation(), cont.click()]);
      assert.equal(await page.title(), 'Transfer sent', 'the bank answers');
      assert.equal(await page.locator('#result').innerText(), '$300.00 went to Dave.');
      await page.goto(BASE + '/bank/');
      assert.equal(await balance(page), before - 30000, 'the balance is $300 less, once');
    } finally {
      await context.close();
    }
  });

test('a cancelled security key leaves the user signed in and the transfer not made',
  { timeout: 90000 }, async () => {
    const { context, page } = await fresh(browser);
    try {
      const key = new DecliningKey();
      const before = await withSecurityKey(page, context, key);
      await transfer(page, '5000', 'Mallory');
      await expectSecurityKeyForTransfer(page, '5000', 'Mallory');
      key.cancel = true;
      await page.getByRole('button', { name: 'Use passkey' }).click();
      const status = page.getByRole('status');
      await status.getByText(/cancelled/).waitFor();
      const text = (await status.innerText()).trim();
      assert.match(text, /the action above was not carried out/,
        `the message says the transfer was not made: "${text}"`);
      assert.match(text, /You are still signed in/, 'and that the user is still signed in');
      assert.equal(pathOf(page), '/stepup/', 'still on Confirm access');

      await page.goto(BASE + '/bank/');
      assert.equal(await page.title(), 'Your account', 'still signed in: the account opens');
      assert.equal(await balance(page), before, 'the balance is unchanged');
      assert.equal(await page.getByText('to Mallory').count(), 0, 'no transfer to Mallory');
    } finally {
      await context.close();
    }
  });

test('a transfer of $5,000 confirmed with the security key is made once, for $5,000',
  { timeout: 90000 }, async () => {
    const { context, page } = await fresh(browser);
    try {
      const before = await withSecurityKey(page, context, new SoftSecurityKey());
      await transfer(page, '5000', 'Carol');
      await expectSecurityKeyForTransfer(page, '5000', 'Carol');
      await page.getByRole('button', { name: 'Use passkey' }).click();
      // the page sends the kept transfer on by itself (POST resume)
      await page.getByRole('heading', { name: 'Transfer sent' }).waitFor({ timeout: 15000 });
      assert.equal(await page.locator('#result').innerText(), '$5,000.00 went to Carol.',
        'the page shows the amount transferred');

      await page.goto(BASE + '/bank/');
      assert.equal(await balance(page), before - 500000, 'the balance is $5,000 less, once');
      assert.equal(await page.getByText('$5,000.00 to Carol').count(), 1,
        'one transfer of $5,000 to Carol');
    } finally {
      await context.close();
    }
  });
