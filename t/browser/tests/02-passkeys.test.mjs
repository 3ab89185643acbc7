// SPDX-License-Identifier: Apache-2.0
// Passkeys with Chromium's virtual authenticator: adding one on the manage
// page, confirming with it, and cancelling the browser's prompt.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, fresh, launch, pathOf, stepupCookie, dropStepupCookie,
  addPlatformAuthenticator, addPasskey, openWithPassword, removeAllPasskeys,
} from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });
beforeEach(async () => { await removeAllPasskeys(browser); });

test('manage: a named passkey is added and listed with its name and kind',
  { timeout: 60000 }, async () => {
    const { context, page, cdp } = await fresh(browser);
    try {
      await addPlatformAuthenticator(cdp);
      // the manage page asks for a confirmation first
      await page.goto(BASE + '/stepup/manage');
      assert.equal(await page.title(), 'Confirm access');
      await openWithPassword(page, '/stepup/manage');
      assert.equal(await page.title(), 'Passkeys');
      await page.getByText('You have no passkeys yet.').waitFor();

      await addPasskey(page, 'Work laptop');
      const list = page.getByRole('list', { name: 'Your passkeys' });
      const item = list.getByRole('listitem').filter({ hasText: 'Work laptop' });
      assert.equal(await item.count(), 1, 'listed once');
      assert.match(await item.innerText(), /Synced passkey/, 'its kind: a synced passkey');
      // added above the password's level: the page confirmed with it at once
      assert.doesNotMatch(await item.innerText(), /Last used never/,
        'used once: the user confirmed with it right after adding it');
      assert.ok(await page.getByRole('button', { name: 'Remove Work laptop' }).isVisible(),
        'it can be removed');
    } finally {
      await context.close();
    }
  });

test('after the step-up cookie is dropped, "Use passkey" confirms and returns to the page',
  { timeout: 60000 }, async () => {
    const { context, page, cdp } = await fresh(browser);
    try {
      await addPlatformAuthenticator(cdp);
      await openWithPassword(page, '/stepup/manage');
      await addPasskey(page, 'Phone');

      await dropStepupCookie(context);
      await page.goto(BASE + '/account/');
      assert.equal(await page.title(), 'Confirm access');
      const use = page.getByRole('button', { name: 'Use passkey' });
      assert.ok(await use.isVisible(), 'the page offers the passkey');
      await Promise.all([page.waitForURL(BASE + '/account/'), use.click()]);

      assert.equal(pathOf(page), '/account/');
      assert.equal(await page.title(), 'Account settings');
      assert.ok(await stepupCookie(context), 'a new step-up cookie');

      // the manage page shows it as used
      await page.goto(BASE + '/stepup/manage');
      const item = page.getByRole('listitem').filter({ hasText: 'Phone' });
      assert.doesNotMatch(await item.innerText(), /Last used never/, 'last use recorded');
    } finally {
      await context.close();
    }
  });

test('a cancelled passkey prompt says so and leaves the user signed in',
  { timeout: 60000 }, async () => {
    const { context, page, cdp } = await fresh(browser);
    try {
      const authenticatorId = await addPlatformAuthenticator(cdp);
      await openWithPassword(page, '/stepup/manage');
      await addPasskey(page, 'Tablet');
      await dropStepupCookie(context);

      await page.goto(BASE + '/account/');
      assert.equal(await page.title(), 'Confirm access');
      // the user declines the fingerprint / screen lock prompt
      await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: false });
      const use = page.getByRole('button', { name: 'Use passkey' });
      await use.click();

      const status = page.getByRole('status');
      await status.getByText(/cancelled/).waitFor();
      const text = (await status.innerText()).trim();
      assert.match(text, /cancelled\. You are still signed in/, `the message: "${text}"`);
      assert.ok(await status.isVisible(), 'the message is visible');
      assert.equal(await page.title(), 'Confirm access', 'still on Confirm access');
      assert.ok(await use.isEnabled(), 'the button can be pressed again');
      assert.equal(await page.evaluate(() => document.activeElement.textContent.trim()),
        'Use passkey', 'the focus is back on the button');
      assert.ok(await page.getByLabel('Password', { exact: true }).isVisible(),
        'the password is still offered');
      assert.equal(await stepupCookie(context), undefined, 'no step-up cookie');

      // still signed in: the site opens
      const home = await page.goto(BASE + '/');
      assert.equal(home.status(), 200);
      assert.equal(await page.title(), 'mod_stepup demo');
    } finally {
      await context.close();
    }
  });
