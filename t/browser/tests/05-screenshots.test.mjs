// SPDX-License-Identifier: Apache-2.0
// Screenshots for a human to look at (t/browser/artifacts/): Confirm
// access, its error state, with a kept form, the passkeys page with a passkey and the request
// for a security key, on a desktop (1280x800) and a phone (390x844). On each,
// nothing may stick out sideways (no horizontal scrolling).
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, DESKTOP, PHONE, fresh, launch, screenshot, addPlatformAuthenticator,
  addPasskey, confirmWithPassword, openWithPassword, removeAllPasskeys,
} from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
// each test starts without passkeys: with one, the passkeys page asks for
// a passkey, not the password (changing passkeys needs the level of the
// strongest one)
beforeEach(async () => { await removeAllPasskeys(browser); });
after(async () => { await browser?.close(); });

async function shoot(page, name) {
  const overflow = await page.evaluate(() =>
    document.documentElement.scrollWidth - document.documentElement.clientWidth);
  // what sticks out of its box: the card, or a passkey's frame in the list
  const outside = await page.evaluate(() => {
    const out = [];
    for (const box of document.querySelectorAll('main, main li')) {
      const b = box.getBoundingClientRect();
      for (const e of box.querySelectorAll('*')) {
        const r = e.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        if (r.left < b.left - 1 || r.right > b.right + 1) {
          const what = e.getAttribute('id') ? `#${e.getAttribute('id')}` : `${e.tagName.toLowerCase()} "${e.textContent.trim().slice(0, 30)}"`;
          out.push(`${what} sticks out of ${box.tagName.toLowerCase()} by `
            + `${Math.round(Math.max(b.left - r.left, r.right - b.right))}px`);
        }
      }
    }
    return out;
  });
  await screenshot(page, name);
  assert.ok(overflow <= 0, `${name}: no horizontal scrolling (${overflow}px too wide)`);
  assert.deepEqual(outside, [], `${name}: everything stays inside its box`);
}

for (const [label, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
  test(`screenshots on a ${label} (${viewport.width}x${viewport.height})`,
    { timeout: 90000 }, async () => {
      const phone = viewport === PHONE;
      const { context, page, cdp } = await fresh(browser, {
        viewport, ...(phone ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
      });
      try {
        await page.goto(BASE + '/account/');
        assert.equal(await page.title(), 'Confirm access');
        await shoot(page, `confirm-access-${label}`);

        await confirmWithPassword(page, 'not-the-password');
        await page.getByRole('alert').waitFor();
        await shoot(page, `confirm-access-error-${label}`);

        // a form kept while the user confirms: the action and its field,
        // a long address that must wrap inside the card
        await page.goto(BASE + '/profile/');
        await page.getByLabel('New e-mail address')
          .fill('a.very.long.address.that.must.wrap.somewhere@example.com');
        await Promise.all([page.waitForNavigation(),
          page.getByRole('button', { name: 'Change' }).click()]);
        await shoot(page, `confirm-access-kept-form-${label}`);

        await addPlatformAuthenticator(cdp);
        await openWithPassword(page, '/stepup/manage');
        if (await page.getByRole('list', { name: 'Your passkeys' }).count() === 0) {
          await addPasskey(page, 'Work laptop');
        }
        await shoot(page, `manage-passkey-${label}`);

        await page.goto(BASE + '/bank/card/');
        assert.equal(await page.title(), 'Confirm access');
        await shoot(page, `security-key-request-${label}`);
      } finally {
        await context.close();
      }
    });
}
