// The bank's transfer page: Require stepup acr=phrh max-age=0. A synced
// passkey is not enough; a device-bound authenticator of a listed model
// (scripts/browser-test.sh lists Chromium's virtual one) is, for one request.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, fresh, launch, pathOf, stepupCookie, dropStepupCookie,
  addPlatformAuthenticator, addSecurityKey, addPasskey, openWithPassword,
  confirmWithPassword, removeAllPasskeys,
} from './helpers.mjs';

const HIGH = 'Hardware-bound, high assurance';   // the manage page's label for phrh

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });
beforeEach(async () => { await removeAllPasskeys(browser); });

async function expectHardwareKeyRequest(page, what) {
  assert.equal(await page.title(), 'Confirm access', `${what}: Confirm access`);
  const url = new URL(page.url());
  assert.equal(url.pathname, '/stepup/');
  assert.equal(url.searchParams.get('return_to'), '/bank/transfer/');
  assert.equal(url.searchParams.get('acr'), 'phrh');
  assert.match(await page.locator('main').innerText(),
    /needs a confirmation with a hardware security key; a password is not enough/,
    `${what}: says a hardware security key is needed`);
  assert.equal(await page.locator('input[type=password]').count(), 0,
    `${what}: no password field`);
}

/* The item of the manage page's list named `name`. */
function listed(page, name) {
  return page.getByRole('list', { name: 'Your passkeys' }).getByRole('listitem')
    .filter({ has: page.locator('p.name', { hasText: name }) });
}

/* With a fresh step-up (the cookie dropped first), adds a passkey on the
 * manage page with whatever authenticator the page has. */
async function addWithFreshStepup(page, context, name) {
  await dropStepupCookie(context);
  await page.goto(BASE + '/stepup/manage');
  assert.equal(await page.title(), 'Confirm access', 'manage asks to confirm first');
  await openWithPassword(page, '/stepup/manage');
  await addPasskey(page, name);
  return listed(page, name);
}

/* Transfer once with "Use passkey", then the next transfer asks again.
 * The step-up of adding the passkey is dropped first: it would open the
 * first transfer by itself. */
async function transferOnce(page, context) {
  await dropStepupCookie(context);
  await page.goto(BASE + '/bank/transfer/');
  await expectHardwareKeyRequest(page, 'with a hardware-bound passkey');
  const use = page.getByRole('button', { name: 'Use passkey' });
  assert.ok(await use.isVisible(), 'the page offers the passkey');
  await Promise.all([page.waitForURL(BASE + '/bank/transfer/'), use.click()]);
  assert.equal(await page.title(), 'Transfer sent', 'the transfer page opens');
  assert.ok(await stepupCookie(context), 'a step-up cookie');

  // max-age=0: spent; the next transfer asks again
  await page.goto(BASE + '/bank/transfer/');
  await expectHardwareKeyRequest(page, 'a second transfer');
  // the token still opens the places that do not ask for a one-time one
  await page.goto(BASE + '/bank/');
  assert.equal(await page.title(), 'Your account', 'the bank account stays open');
}

test('with only a synced passkey, a transfer asks for a hardware security key and cannot complete',
  { timeout: 90000 }, async () => {
    const { context, page, cdp } = await fresh(browser);
    try {
      await addPlatformAuthenticator(cdp);
      const phone = await addWithFreshStepup(page, context, 'Phone');
      assert.match(await phone.innerText(), /Synced passkey/);

      // neither the password token nor the synced passkey is enough
      await page.goto(BASE + '/bank/transfer/');
      await expectHardwareKeyRequest(page, 'with a synced passkey');
      assert.equal(await page.getByRole('button', { name: 'Use passkey' }).count(), 0,
        'no passkey button: the synced passkey cannot reach this level');
      const main = await page.locator('main').innerText();
      assert.doesNotMatch(main, /\bno a\b/, `reads correctly: "${main}"`);
      assert.ok(await page.getByRole('link', { name: 'Manage passkeys' }).isVisible(),
        'points to the passkeys page');
      // what the page's script would get if it asked anyway
      const begin = await page.evaluate(async () => {
        const status = await (await fetch('/stepup/status')).json();
        const res = await fetch('/stepup/passkey/begin', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json',
            'X-Stepup-CSRF': status.csrf },
          body: JSON.stringify({ return_to: '/bank/transfer/', acr: 'phrh' }),
        });
        return { status: res.status, body: await res.json() };
      });
      assert.equal(begin.body.ok, false, 'passkey/begin refuses');
      assert.ok(begin.status >= 400, `passkey/begin: HTTP ${begin.status}`);
      assert.match(begin.body.error, /hardware security key/, `the reason: ${begin.body.error}`);
      // the transfer page stays closed...
      await page.goto(BASE + '/bank/transfer/');
      assert.equal(pathOf(page), '/stepup/');
      // ...while the rest of the bank is open (a confirmation of any kind)
      await page.goto(BASE + '/bank/');
      assert.equal(await page.title(), 'Your account');
    } finally {
      await context.close();
    }
  });

test('a USB security key added on the passkeys page counts as high assurance and opens one transfer',
  { timeout: 90000 }, async () => {
    const { context, page, cdp } = await fresh(browser);
    try {
      await addSecurityKey(cdp);
      const key = await addWithFreshStepup(page, context, 'USB key');
      const text = await key.innerText();
      assert.match(text, new RegExp(HIGH),
        'a device-bound USB security key of a listed model (AAGUID '
        + '01020304-0506-0708-0102-030405060708) is listed as high assurance; '
        + `the list says: "${text.replace(/\s+/g, ' ')}"`);
      await transferOnce(page, context);
    } finally {
      await context.close();
    }
  });

test('from the transfer, "Manage passkeys" leads to adding a security key and back to the transfer',
  { timeout: 90000 }, async () => {
    const { context, page, cdp } = await fresh(browser);
    try {
      await addSecurityKey(cdp);
      await page.goto(BASE + '/bank/transfer/');
      await expectHardwareKeyRequest(page, 'without a security key yet');
      await Promise.all([page.waitForNavigation(),
        page.getByRole('link', { name: 'Manage passkeys' }).click()]);
      // the passkeys page first asks for a confirmation the user can give
      assert.equal(await page.title(), 'Confirm access', 'manage asks to confirm first');
      await confirmWithPassword(page);
      assert.equal(pathOf(page), '/stepup/manage', 'then shows the passkeys page');
      // adding it asks to confirm with it (it is stronger than the
      // password), which is the security key confirmation the transfer needs
      await addPasskey(page, 'USB key');
      const back = page.getByRole('link', { name: 'Continue where you were' });
      assert.equal(await back.getAttribute('href'), '/bank/transfer/',
        'the passkeys page leads back to the transfer');
      await Promise.all([page.waitForNavigation(), back.click()]);
      assert.equal(await page.title(), 'Transfer sent',
        'the transfer goes through with the confirmation just made');
      // once: the next one asks for the key again, and it is offered
      await page.goto(BASE + '/bank/transfer/');
      await expectHardwareKeyRequest(page, 'the next transfer');
      const use = page.getByRole('button', { name: 'Use passkey' });
      assert.ok(await use.isVisible(), 'the new security key is offered');
      await Promise.all([page.waitForURL(BASE + '/bank/transfer/'), use.click()]);
      assert.equal(await page.title(), 'Transfer sent', 'the transfer goes through');
    } finally {
      await context.close();
    }
  });

test('a device-bound platform passkey of a listed model opens exactly one transfer',
  { timeout: 90000 }, async () => {
    const { context, page, cdp } = await fresh(browser);
    try {
      // a synced one first: it stays phr next to the device-bound one
      const synced = await addPlatformAuthenticator(cdp);
      await addWithFreshStepup(page, context, 'Phone');
      // a second passkey needs a confirmation with the first (its level,
      // phr): the password is no longer offered for it
      await dropStepupCookie(context);
      await page.goto(BASE + '/stepup/manage');
      assert.equal(await page.title(), 'Confirm access', 'manage asks to confirm first');
      assert.equal(new URL(page.url()).searchParams.get('acr'), 'phr',
        'at the level of the passkey the user has');
      assert.equal(await page.locator('input[type=password]').count(), 0,
        'no password field: a password cannot add a passkey next to a passkey');
      await Promise.all([page.waitForURL(BASE + '/stepup/manage'),
        page.getByRole('button', { name: 'Use passkey' }).click()]);
      assert.equal(await page.title(), 'Passkeys', 'confirmed with the phone: the passkeys page');
      // the phone leaves; the laptop's own authenticator is added
      await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: synced });
      await cdp.send('WebAuthn.addVirtualAuthenticator', {
        options: {
          protocol: 'ctap2', transport: 'internal',
          hasResidentKey: true, hasUserVerification: true, isUserVerified: true,
          automaticPresenceSimulation: true,
          defaultBackupEligibility: false, defaultBackupState: false,
        },
      });
      await addPasskey(page, 'Laptop TPM');
      const bound = listed(page, 'Laptop TPM');
      assert.match(await bound.innerText(), new RegExp(HIGH), 'the device-bound one: high assurance');
      assert.match(await listed(page, 'Phone').innerText(), /Synced passkey/, 'the synced one: not');
      await transferOnce(page, context);
    } finally {
      await context.close();
    }
  });

test('with a security key registered, the passkeys page asks for it: the password is not enough',
  { timeout: 90000 }, async () => {
    const { context, page, cdp } = await fresh(browser);
    try {
      await addSecurityKey(cdp);
      await addWithFreshStepup(page, context, 'USB key');

      await dropStepupCookie(context);
      await page.goto(BASE + '/stepup/manage');
      assert.equal(await page.title(), 'Confirm access', 'manage asks to confirm first');
      const url = new URL(page.url());
      assert.equal(url.searchParams.get('acr'), 'phrh', 'with the security key');
      assert.equal(url.searchParams.get('return_to'), '/stepup/manage');
      assert.match(await page.locator('main').innerText(),
        /needs a confirmation with a hardware security key; a password is not enough/);
      assert.equal(await page.locator('input[type=password]').count(), 0, 'no password field');

      await Promise.all([page.waitForURL(BASE + '/stepup/manage'),
        page.getByRole('button', { name: 'Use passkey' }).click()]);
      assert.equal(await page.title(), 'Passkeys', 'confirmed with the key: the passkeys page');
      await Promise.all([page.waitForNavigation(),
        page.getByRole('button', { name: 'Remove USB key' }).click()]);
      await page.getByText('Passkey removed.').waitFor();
      assert.equal(await listed(page, 'USB key').count(), 0, 'the key is removed');
    } finally {
      await context.close();
    }
  });
