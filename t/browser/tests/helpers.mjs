// SPDX-License-Identifier: Apache-2.0
// Shared by the browser tests: Debian's Chromium through playwright-core,
// one browser per test file, a fresh context (cookies, authenticators) per
// test, Chromium's CDP virtual authenticators, the attested software
// security key (softkey.mjs), screenshots and axe-core.
// The demo site runs at STEPUP_BASE_URL (scripts/browser-test.sh starts it).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export { installSoftSecurityKey } from './softkey.mjs';

const here = dirname(fileURLToPath(import.meta.url));

export const BASE = (process.env.STEPUP_BASE_URL || '').replace(/\/+$/, '');
if (!BASE) {
  throw new Error('STEPUP_BASE_URL is not set: run scripts/browser-test.sh '
    + '(it starts the demo and sets it), or set it to a running demo on '
    + 'http://localhost:PORT');
}
export const USER = 'demo';
export const PASSWORD = 'demo-password';
export const COOKIE = 'stepup';
export const ARTIFACTS = resolve(process.env.STEPUP_ARTIFACTS || join(here, '..', 'artifacts'));
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/* A fresh context signed in with Basic (the demo's primary sign-in), one
 * page, and a CDP session for the virtual authenticators. */
export async function fresh(browser, options = {}) {
  const context = await browser.newContext({
    httpCredentials: { username: USER, password: PASSWORD },
    viewport: DESKTOP,
    ...options,
  });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  return { context, page, cdp };
}

/* The phone's screen lock: a platform authenticator with user verification
 * whose passkeys are synced (backup eligible and backed up): acr phr. */
export async function addPlatformAuthenticator(cdp) {
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2', transport: 'internal',
      hasResidentKey: true, hasUserVerification: true, isUserVerified: true,
      automaticPresenceSimulation: true,
      defaultBackupEligibility: true, defaultBackupState: true,
    },
  });
  return authenticatorId;
}

/* Chromium's virtual USB security key with a PIN: device-bound (BE
 * clear), of a model scripts/browser-test.sh lists (Chromium's AAGUID
 * 01020304-0506-0708-0102-030405060708), but its attestation certificate
 * is self-signed and new at every registration, so it reaches no root of
 * the demo: acr phr (softkey.mjs says more). For a security key that is
 * phrh, see installSoftSecurityKey. */
export async function addVirtualSecurityKey(cdp) {
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2', ctap2Version: 'ctap2_1', transport: 'usb',
      hasResidentKey: true, hasUserVerification: true, isUserVerified: true,
      automaticPresenceSimulation: true,
      defaultBackupEligibility: false, defaultBackupState: false,
    },
  });
  return authenticatorId;
}

export async function stepupCookie(context) {
  return (await context.cookies(BASE)).find((c) => c.name === COOKIE);
}

export async function dropStepupCookie(context) {
  await context.clearCookies({ name: COOKIE });
  assert.equal(await stepupCookie(context), undefined, 'the step-up cookie is gone');
}

/* On the Confirm access page: type the password and press Verify. */
export async function confirmWithPassword(page, password = PASSWORD) {
  await page.getByLabel('Password', { exact: true }).fill(password);
  await Promise.all([
    page.waitForNavigation(),
    page.getByRole('button', { name: 'Verify' }).click(),
  ]);
}

/* Opens `path`, and when sent to Confirm access, confirms with the
 * password; ends on `path`. */
export async function openWithPassword(page, path) {
  await page.goto(BASE + path);
  if (new URL(page.url()).pathname === '/stepup/') {
    await confirmWithPassword(page);
  }
  assert.equal(new URL(page.url()).pathname, new URL(BASE + path).pathname,
    `back on ${path} after confirming`);
}

/* On the manage page: name a passkey, press "Add a passkey", wait for the
 * reloaded list to show it. */
export async function addPasskey(page, name) {
  await page.getByLabel('Name', { exact: true }).fill(name);
  await Promise.all([
    page.waitForNavigation(),
    page.getByRole('button', { name: 'Add a passkey' }).click(),
  ]);
  await page.getByRole('list', { name: 'Your passkeys' })
    .getByText(name, { exact: true }).waitFor();
}

/* A phrh step-up token for the demo user, minted with the demo's key file
 * as an administrator would (stepupctl): the password cannot remove the
 * passkeys of a user who has one (changing passkeys needs the level of
 * the strongest). */
export function adminToken() {
  const dir = process.env.STEPUP_DEMO_DIR;
  if (!dir) {
    throw new Error('STEPUP_DEMO_DIR is not set: run scripts/browser-test.sh '
      + '(it sets it to the demo it starts)');
  }
  const stepupctl = process.env.STEPUPCTL || resolve(here, '..', '..', '..', 'tools', 'stepupctl');
  return execFileSync(stepupctl, ['token', 'mint', '--key-file', join(dir, 'stepup.keys'),
    '--user', USER, '--acr', 'phrh'], { encoding: 'utf8' }).trim();
}

/* Removes every passkey of the demo user through the manage page (with
 * the administrator's token), so that each test starts from a user with a
 * password and no passkey. */
export async function removeAllPasskeys(browser) {
  const { context, page } = await fresh(browser);
  try {
    await context.addCookies([{ name: COOKIE, value: adminToken(), url: BASE }]);
    await page.goto(BASE + '/stepup/manage');
    assert.equal(pathOf(page), '/stepup/manage', 'the administrator\'s token opens the passkeys page');
    for (let i = 0; i < 50; i++) {
      const remove = page.getByRole('button', { name: /^Remove / });
      if (await remove.count() === 0) break;
      await Promise.all([page.waitForNavigation(), remove.first().click()]);
    }
    await page.getByText('You have no passkeys yet.').waitFor();
  } finally {
    await context.close();
  }
}

export function pathOf(page) {
  const u = new URL(page.url());
  return u.pathname;
}

export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`screenshot: ${file}`);
  return file;
}

/* axe-core in the page (the context needs bypassCSP: the handler's CSP
 * allows no inline script). Returns the violations. */
export async function axe(page) {
  await page.addScriptTag({ path: join(here, '..', 'node_modules', 'axe-core', 'axe.min.js') });
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => n.target.join(' ')),
    }));
  });
}
