// SPDX-License-Identifier: Apache-2.0
// A form sent without a recent confirmation is kept while the user
// confirms, then sent on once: the demo's e-mail change (/profile/,
// "Require stepup max-age=0" on /profile/email). With JavaScript the page
// continues by itself; without it, one "Continue" button does it. Either
// way the user lands on the application's own answer with what they typed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, fresh, launch, pathOf, confirmWithPassword, dropStepupCookie,
  addPlatformAuthenticator, addPasskey, openWithPassword, removeAllPasskeys,
} from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/* On /profile/: types the address and presses "Change"; ends on Confirm
 * access, which says what is about to happen. */
async function sendForm(page, email) {
  await page.goto(BASE + '/profile/');
  await page.getByLabel('New e-mail address').fill(email);
  await Promise.all([
    page.waitForNavigation(),
    page.getByRole('button', { name: 'Change' }).click(),
  ]);
  assert.equal(await page.title(), 'Confirm access');
  assert.equal(pathOf(page), '/stepup/');
  assert.match(new URL(page.url()).searchParams.get('resume') || '', /^[A-Za-z0-9_-]{22}$/,
    'the form was kept under an id');
  const main = await page.locator('main').innerText();
  assert.match(main, /Confirm access to continue: POST \/profile\/email/,
    'the page says what is about to happen');
  assert.match(main, new RegExp(email.replace(/[.+]/g, '\\$&')),
    'and shows the address typed');
}

test('with JavaScript: after the password the form goes through by itself',
  { timeout: 60000 }, async () => {
    const { context, page } = await fresh(browser);
    try {
      await sendForm(page, 'new.address@example.com');
      await Promise.all([
        page.waitForURL('**/stepup/resume'),
        confirmWithPassword(page),
      ]);
      await page.getByRole('heading', { name: 'E-mail address changed' }).waitFor();
      assert.match(await page.locator('#result').innerText(),
        /demo, your e-mail address is now new\.address@example\.com\./,
        'the application received the form and answered');
    } finally {
      await context.close();
    }
  });

test('without JavaScript: one "Continue" button sends the form on',
  { timeout: 60000 }, async () => {
    const { context, page } = await fresh(browser, { javaScriptEnabled: false });
    try {
      await sendForm(page, 'no.script@example.com');
      await confirmWithPassword(page);
      const cont = page.getByRole('button', { name: 'Continue' });
      await cont.waitFor();
      assert.match(await page.locator('main').innerText(), /POST \/profile\/email/);
      await Promise.all([page.waitForNavigation(), cont.click()]);
      await page.getByRole('heading', { name: 'E-mail address changed' }).waitFor();
      assert.match(await page.locator('#result').innerText(),
        /your e-mail address is now no\.script@example\.com\./);

      // the same form again: kept once, so sending the continue form twice
      // (the back button) says to start again
      await page.goBack();
      if ((await page.title()) === 'Confirm access'
          && await page.getByRole('button', { name: 'Continue' }).count()) {
        await Promise.all([page.waitForNavigation(),
          page.getByRole('button', { name: 'Continue' }).click()]);
        assert.match(await page.locator('main').innerText(), /start it again/);
      }
    } finally {
      await context.close();
    }
  });

test('with a passkey: "Use passkey" confirms and the form goes through',
  { timeout: 90000 }, async () => {
    await removeAllPasskeys(browser);
    const { context, page, cdp } = await fresh(browser);
    try {
      await addPlatformAuthenticator(cdp);
      await openWithPassword(page, '/stepup/manage');
      await addPasskey(page, 'Phone');
      await dropStepupCookie(context);

      await sendForm(page, 'by.passkey@example.com');
      const use = page.getByRole('button', { name: 'Use passkey' });
      await Promise.all([page.waitForURL('**/stepup/resume'), use.click()]);
      await page.getByRole('heading', { name: 'E-mail address changed' }).waitFor();
      assert.match(await page.locator('#result').innerText(),
        /your e-mail address is now by\.passkey@example\.com\./,
        'the application received the form once the passkey confirmed');
    } finally {
      await context.close();
      await removeAllPasskeys(browser);
    }
  });
