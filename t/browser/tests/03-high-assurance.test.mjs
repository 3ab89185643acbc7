// SPDX-License-Identifier: Apache-2.0
// The bank's card details: Require stepup acr=phrh max-age=0. A synced
// passkey is not enough, and neither is a device-bound one whose
// attestation reaches no root of the demo, even of a listed model
// (Chromium's virtual authenticators: their attestation certificate is
// self-signed and new every time, see softkey.mjs). A security key whose
// attestation chains to the demo's roots (the software security key of
// softkey.mjs, its certificate issued by the test CA that
// scripts/browser-test.sh adds to the roots) is, for one request.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  BASE, fresh, launch, pathOf, stepupCookie, dropStepupCookie,
  addPlatformAuthenticator, addVirtualSecurityKey, installSoftSecurityKey,
  addPasskey, openWithPassword, confirmWithPassword, removeAllPasskeys,
} from './helpers.mjs';
import { SoftSecurityKey, softKeyMaterial } from './softkey.mjs';

const HIGH = 'Hardware-bound, high assurance';   // the manage page's label for phrh

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });
beforeEach(async () => { await removeAllPasskeys(browser); });

async function expectHardwareKeyRequest(page, what) {
  assert.equal(await page.title(), 'Confirm access', `${what}: Confirm access`);
  const url = new URL(page.url());
  assert.equal(url.pathname, '/stepup/');
  assert.equal(url.searchParams.get('return_to'), '/bank/card/');
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

/* Shows the card once with "Use passkey", then the next showing asks again.
 * The step-up of adding the passkey is dropped first: it would open the
 * first showing by itself. */
async function cardOnce(page, context) {
  await dropStepupCookie(context);
  await page.goto(BASE + '/bank/card/');
  await expectHardwareKeyRequest(page, 'with a hardware-bound passkey');
  const use = page.getByRole('button', { name: 'Use passkey' });
  assert.ok(await use.isVisible(), 'the page offers the passkey');
  await Promise.all([page.waitForURL(BASE + '/bank/card/'), use.click()]);
  assert.equal(await page.title(), 'Your card', 'the card page opens');
  assert.ok(await stepupCookie(context), 'a step-up cookie');

  // max-age=0: spent; the next showing asks again
  await page.goto(BASE + '/bank/card/');
  await expectHardwareKeyRequest(page, 'a second showing');
  // the token still opens the places that do not ask for a one-time one
  await page.goto(BASE + '/bank/');
  assert.equal(await page.title(), 'Your account', 'the bank account stays open');
}

test('with only a synced passkey, the card details ask for a hardware security key and stay closed',
  { timeout: 90000 }, async () => {
    const { context, page, cdp } = await fresh(browser);
    try {
      await addPlatformAuthenticator(cdp);
      const phone = await addWithFreshStepup(page, context, 'Phone');
      assert.match(await phone.innerText(), /Synced passkey/);

      // neither the password token nor the synced passkey is enough
      await page.goto(BASE + '/bank/card/');
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
          body: JSON.stringify({ return_to: '/bank/card/', acr: 'phrh' }),
        });
        return { status: res.status, body: await res.json() };
      });
      assert.equal(begin.body.ok, false, 'passkey/begin refuses');
      assert.ok(begin.status >= 400, `passkey/begin: HTTP ${begin.status}`);
      assert.match(begin.body.error, /hardware security key/, `the reason: ${begin.body.error}`);
      // the card page stays closed...
      await page.goto(BASE + '/bank/card/');
      assert.equal(pathOf(page), '/stepup/');
      // ...while the rest of the bank is open (a confirmation of any kind)
      await page.goto(BASE + '/bank/');
      assert.equal(await page.title(), 'Your account');
    } finally {
      await context.close();
    }
  });

test('a security key attested by a root of the demo counts as high assurance and opens the card details once',
  { timeout: 90000 }, async () => {
    const { context, page } = await fresh(browser);
    try {
      await installSoftSecurityKey(context);
      const key = await addWithFreshStepup(page, context, 'USB key');
      const text = await key.innerText();
      assert.match(text, new RegExp(HIGH),
        'a device-bound security key whose packed attestation chains to the demo\'s '
        + 'roots (the test CA) and of a listed model is listed as high assurance; '
        + `the list says: "${text.replace(/\s+/g, ' ')}"`);
      await cardOnce(page, context);
    } finally {
      await context.close();
    }
  });

test('from the card details, "Manage passkeys" leads to adding a security key and back to them',
  { timeout: 90000 }, async () => {
    const { context, page } = await fresh(browser);
    try {
      await installSoftSecurityKey(context);
      await page.goto(BASE + '/bank/card/');
      await expectHardwareKeyRequest(page, 'without a security key yet');
      await Promise.all([page.waitForNavigation(),
        page.getByRole('link', { name: 'Manage passkeys' }).click()]);
      // the passkeys page first asks for a confirmation the user can give
      assert.equal(await page.title(), 'Confirm access', 'manage asks to confirm first');
      await confirmWithPassword(page);
      assert.equal(pathOf(page), '/stepup/manage', 'then shows the passkeys page');
      // adding it asks to confirm with it (it is stronger than the
      // password), which is the security key confirmation the card details need
      await addPasskey(page, 'USB key');
      const back = page.getByRole('link', { name: 'Continue where you were' });
      assert.equal(await back.getAttribute('href'), '/bank/card/',
        'the passkeys page leads back to the card details');
      await Promise.all([page.waitForNavigation(), back.click()]);
      assert.equal(await page.title(), 'Your card',
        'the card details open with the confirmation just made');
      // once: the next one asks for the key again, and it is offered
      await page.goto(BASE + '/bank/card/');
      await expectHardwareKeyRequest(page, 'the next showing');
      const use = page.getByRole('button', { name: 'Use passkey' });
      assert.ok(await use.isVisible(), 'the new security key is offered');
      await Promise.all([page.waitForURL(BASE + '/bank/card/'), use.click()]);
      assert.equal(await page.title(), 'Your card', 'the card details open');
    } finally {
      await context.close();
    }
  });

/* The demo's error_log line of the registration of the passkey named on
 * the manage page's item, by its credential id. */
function registrationLine(id) {
  const log = process.env.STEPUP_DEMO_LOG;
  assert.ok(log, 'STEPUP_DEMO_LOG names the demo\'s error_log (scripts/browser-test.sh sets it)');
  return readFileSync(log, 'utf8').split('\n')
    .find((l) => l.includes('STEPUP0071') && l.includes(`passkey ${id} registered`)) || 'no line';
}

async function passkeyIds(page) {
  return page.evaluate(async () =>
    (await (await fetch('/stepup/passkeys', { headers: { Accept: 'application/json' } })).json())
      .passkeys.map((p) => ({ id: p.id, name: p.name, level: p.level })));
}

test('Chromium\'s virtual authenticators, of a listed model but attested by no root of the demo, stay phr',
  { timeout: 90000 }, async () => {
    const { context, page, cdp } = await fresh(browser);
    try {
      // a USB security key and a device-bound platform authenticator: both
      // claim the listed AAGUID, neither attestation chains to a root
      const usb = await addVirtualSecurityKey(cdp);
      const key = await addWithFreshStepup(page, context, 'Virtual key');
      assert.match(await key.innerText(), /Device-bound passkey/, 'the virtual USB key: device-bound');
      assert.doesNotMatch(await key.innerText(), new RegExp(HIGH), '... not high assurance');
      const [first] = await passkeyIds(page);
      assert.equal(`${first.name} ${first.level}`, 'Virtual key phr', 'GET /stepup/passkeys: phr');
      assert.match(registrationLine(first.id),
        /level phr, fmt packed; not phrh: packed attestation: the certificate chain does not reach a configured root: self-signed certificate\)/,
        'the demo\'s log says why the virtual key is not phrh');
      await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: usb });
      // its credential left with the authenticator: removed by the
      // administrator, so that the password may add the next one (a
      // second passkey needs the level of the first)
      await removeAllPasskeys(browser);
      await cdp.send('WebAuthn.addVirtualAuthenticator', {
        options: {
          protocol: 'ctap2', transport: 'internal',
          hasResidentKey: true, hasUserVerification: true, isUserVerified: true,
          automaticPresenceSimulation: true,
          defaultBackupEligibility: false, defaultBackupState: false,
        },
      });
      const bound = await addWithFreshStepup(page, context, 'Laptop TPM');
      assert.match(await bound.innerText(), /Device-bound passkey/, 'the platform one: device-bound');
      assert.doesNotMatch(await bound.innerText(), new RegExp(HIGH), '... not high assurance');

      const keys = await passkeyIds(page);
      assert.deepEqual(keys.map((k) => `${k.name} ${k.level}`).sort(),
        ['Laptop TPM phr'], 'GET /stepup/passkeys: phr');
      for (const k of keys) {
        assert.match(registrationLine(k.id),
          /level phr, fmt packed; not phrh: packed attestation: the certificate chain does not reach a configured root: self-signed certificate\)/,
          `the demo's log says why ${k.name} is not phrh`);
      }

      // the card details cannot be confirmed with them
      await page.goto(BASE + '/bank/card/');
      await expectHardwareKeyRequest(page, 'with a phr passkey');
      assert.equal(await page.getByRole('button', { name: 'Use passkey' }).count(), 0,
        'no passkey button: neither reaches phrh');
    } finally {
      await context.close();
    }
  });

test('the same security key attested by a CA that is not among the demo\'s roots stays phr',
  { timeout: 90000 }, async () => {
    const { context, page } = await fresh(browser);
    try {
      assert.ok(process.env.STEPUP_SOFTKEY_UNTRUSTED_DIR,
        'STEPUP_SOFTKEY_UNTRUSTED_DIR (scripts/browser-test.sh makes it)');
      await installSoftSecurityKey(context,
        new SoftSecurityKey(softKeyMaterial(process.env.STEPUP_SOFTKEY_UNTRUSTED_DIR)));
      const key = await addWithFreshStepup(page, context, 'Unknown vendor key');
      assert.match(await key.innerText(), /Device-bound passkey/, 'registered: a device-bound passkey');
      assert.doesNotMatch(await key.innerText(), new RegExp(HIGH), '... not high assurance');
      const [k] = await passkeyIds(page);
      assert.equal(`${k.name} ${k.level}`, 'Unknown vendor key phr', 'GET /stepup/passkeys: phr');
      assert.match(registrationLine(k.id),
        /level phr, fmt packed; not phrh: packed attestation: the certificate chain does not reach a configured root: unable to get local issuer certificate\)/,
        'the demo\'s log says why it is not phrh');
      await page.goto(BASE + '/bank/card/');
      await expectHardwareKeyRequest(page, 'with a key of an unknown root');
      assert.equal(await page.getByRole('button', { name: 'Use passkey' }).count(), 0,
        'no passkey button');
    } finally {
      await context.close();
    }
  });

test('with a security key registered, the passkeys page asks for it: the password is not enough',
  { timeout: 90000 }, async () => {
    const { context, page } = await fresh(browser);
    try {
      await installSoftSecurityKey(context);
      const key = await addWithFreshStepup(page, context, 'USB key');
      assert.match(await key.innerText(), new RegExp(HIGH), 'a security key (phrh)');

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
