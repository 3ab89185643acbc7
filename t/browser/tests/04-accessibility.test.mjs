// SPDX-License-Identifier: Apache-2.0
// axe-core on the pages a user sees: Confirm access (plain, after a wrong
// password, asking for a security key) and the passkeys page with a passkey,
// in light and dark colours. Serious and critical violations fail; the
// others are printed.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, fresh, launch, axe, addPlatformAuthenticator, addPasskey,
  confirmWithPassword, openWithPassword, removeAllPasskeys,
} from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
// each test starts without passkeys: with one, the passkeys page asks for
// a passkey, not the password (changing passkeys needs the level of the
// strongest one)
beforeEach(async () => { await removeAllPasskeys(browser); });
after(async () => { await browser?.close(); });

function judge(what, violations) {
  for (const v of violations) {
    console.log(`axe ${what}: ${v.impact} ${v.id}: ${v.help} (${v.nodes.join(', ')})`);
  }
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.join(', ')}`), [],
    `${what}: no serious or critical accessibility violations`);
  if (violations.length === 0) console.log(`axe ${what}: no violations`);
}

for (const colorScheme of ['light', 'dark']) {
  test(`Confirm access has no serious accessibility violations (${colorScheme})`,
    { timeout: 60000 }, async () => {
      const { context, page } = await fresh(browser, { bypassCSP: true, colorScheme });
      try {
        await page.goto(BASE + '/account/');
        assert.equal(await page.title(), 'Confirm access');
        judge(`Confirm access (${colorScheme})`, await axe(page));

        await confirmWithPassword(page, 'not-the-password');
        await page.getByRole('alert').waitFor();
        judge(`Confirm access, wrong password (${colorScheme})`, await axe(page));

        await page.goto(BASE + '/bank/card/');
        assert.equal(await page.title(), 'Confirm access');
        judge(`Confirm access, security key needed (${colorScheme})`, await axe(page));

        // a form kept while the user confirms: the page shows the action
        await page.goto(BASE + '/profile/');
        await page.getByLabel('New e-mail address').fill('new@example.com');
        await Promise.all([page.waitForNavigation(),
          page.getByRole('button', { name: 'Change' }).click()]);
        assert.match(await page.locator('main').innerText(), /Confirm access to continue/);
        judge(`Confirm access, a kept form (${colorScheme})`, await axe(page));
      } finally {
        await context.close();
      }
    });

  test(`the passkeys page has no serious accessibility violations (${colorScheme})`,
    { timeout: 60000 }, async () => {
      const { context, page, cdp } = await fresh(browser, { bypassCSP: true, colorScheme });
      try {
        await addPlatformAuthenticator(cdp);
        await openWithPassword(page, '/stepup/manage');
        if (await page.getByRole('list', { name: 'Your passkeys' }).count() === 0) {
          judge(`manage, no passkey (${colorScheme})`, await axe(page));
          await addPasskey(page, 'Laptop');
        }
        judge(`manage, with a passkey (${colorScheme})`, await axe(page));
      } finally {
        await context.close();
      }
    });
}
