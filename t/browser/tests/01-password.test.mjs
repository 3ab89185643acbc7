// SPDX-License-Identifier: Apache-2.0
// Confirm access with the password: the way there and back, a wrong
// password, and the same form driven by the keyboard alone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, fresh, launch, pathOf, stepupCookie, confirmWithPassword,
} from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a protected page sends the user to Confirm access and back after the password',
  { timeout: 60000 }, async () => {
    const { context, page } = await fresh(browser);
    try {
      assert.equal(await stepupCookie(context), undefined, 'no step-up cookie yet');
      await page.goto(BASE + '/account/');
      assert.equal(await page.title(), 'Confirm access');
      assert.equal(pathOf(page), '/stepup/');
      assert.equal(new URL(page.url()).searchParams.get('return_to'), '/account/',
        'the page remembers where the user was going');
      await page.getByRole('heading', { name: 'Confirm access', level: 1 }).waitFor();
      assert.match(await page.locator('main').innerText(), /Signed in as demo/);
      await page.getByLabel('Password', { exact: true }).waitFor();

      await confirmWithPassword(page);
      assert.equal(pathOf(page), '/account/', 'back on the protected page');
      assert.equal(await page.title(), 'Account settings');
      await page.getByRole('heading', { name: 'Account settings', level: 1 }).waitFor();

      const cookie = await stepupCookie(context);
      assert.ok(cookie, 'the step-up cookie is set');
      assert.equal(cookie.httpOnly, true, 'HttpOnly');
      assert.equal(cookie.sameSite, 'Strict', 'SameSite=Strict');
      assert.equal(cookie.path, '/');

      // within max-age the page opens directly
      await page.goto(BASE + '/account/');
      assert.equal(pathOf(page), '/account/');
      assert.equal(await page.title(), 'Account settings');
    } finally {
      await context.close();
    }
  });

test('a wrong password shows "Incorrect password." and leaves the user signed in',
  { timeout: 60000 }, async () => {
    const { context, page } = await fresh(browser);
    try {
      await page.goto(BASE + '/account/');
      assert.equal(await page.title(), 'Confirm access');
      await confirmWithPassword(page, 'not-the-password');

      assert.equal(await page.title(), 'Confirm access', 'still on Confirm access');
      const error = page.getByRole('alert');
      await error.waitFor();
      assert.equal((await error.innerText()).trim(), 'Incorrect password.');
      assert.ok(await error.isVisible(), 'the error line is visible');
      const field = page.getByLabel('Password', { exact: true });
      assert.equal(await field.getAttribute('aria-invalid'), 'true',
        'the field is marked invalid');
      assert.ok(await page.getByRole('button', { name: 'Verify' }).isVisible(),
        'the user can try again');
      assert.equal(await stepupCookie(context), undefined, 'no step-up cookie');

      // still signed in: the primary sign-in (Basic) still opens the site
      const home = await page.goto(BASE + '/');
      assert.equal(home.status(), 200);
      assert.equal(await page.title(), 'mod_stepup demo');
      // and the protected page still asks for a confirmation
      await page.goto(BASE + '/account/');
      assert.equal(await page.title(), 'Confirm access');
    } finally {
      await context.close();
    }
  });

test('the password form can be completed with the keyboard alone',
  { timeout: 60000 }, async () => {
    const { context, page } = await fresh(browser);
    try {
      await page.goto(BASE + '/account/');
      assert.equal(await page.title(), 'Confirm access');
      const focused = () => page.evaluate(() => {
        const e = document.activeElement;
        return e ? (e.id || e.textContent.trim() || e.tagName) : null;
      });
      assert.equal(await focused(), 'password', 'the password field has the focus on arrival');

      // the field is the first stop: Shift+Tab leaves the page's controls,
      // Tab comes back to it
      await page.keyboard.press('Shift+Tab');
      assert.notEqual(await focused(), 'password', 'Shift+Tab leaves the field');
      await page.keyboard.press('Tab');
      assert.equal(await focused(), 'password', 'Tab reaches the password field first');
      await page.keyboard.type('demo-password');
      await page.keyboard.press('Tab');
      assert.equal(await focused(), 'Verify', 'Tab then reaches Verify');
      const outline = await page.evaluate(() =>
        getComputedStyle(document.activeElement).outlineStyle);
      assert.notEqual(outline, 'none', 'the focused button shows a focus outline');
      await page.keyboard.press('Shift+Tab');
      assert.equal(await focused(), 'password', 'Shift+Tab goes back to the field');
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);

      assert.equal(pathOf(page), '/account/');
      assert.equal(await page.title(), 'Account settings');
      assert.ok(await stepupCookie(context), 'the step-up cookie is set');
    } finally {
      await context.close();
    }
  });
