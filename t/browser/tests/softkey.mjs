// SPDX-License-Identifier: Apache-2.0
// An attested software security key for the browser tests.
//
// Why not Chromium's own virtual authenticator: Chromium (checked with
// 156.0.8078.114) signs its packed attestation with a certificate it makes
// afresh for every registration: self-signed ("C=US, O=Chromium,
// OU=Authenticator Attestation, CN=Batch Certificate", CA:FALSE), valid
// until the moment of registration plus 7300 days, with a new ECDSA
// signature each time. No certificate stays the same from one registration
// to the next, so none can be a trust anchor: OpenSSL (like any X.509 path
// validation) accepts a self-signed certificate only when that very
// certificate is trusted. Its passkeys are therefore phr, as is any
// passkey whose attestation does not chain to a configured root, and
// 03-high-assurance.test.mjs checks exactly that.
//
// This key is the honest way to phrh in a browser: a device-bound ES256
// authenticator whose packed attestation is signed with an attestation
// certificate issued by a test CA that scripts/browser-test.sh makes and
// adds to the demo's StepupAttestationRoots (and whose AAGUID it lists).
// It runs in Node (node:crypto) behind page.exposeBinding; the page's
// navigator.credentials.create/get are replaced by calls to it (only in the
// browser contexts a test installs it in), so the demo's own page script,
// cookies and navigations are exercised as with any authenticator. It is
// written from WebAuthn Level 3 (6.1 authenticator data, 8.2 packed
// attestation) and RFC 8949 (CBOR encoding only).
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign }
  from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const b64u = (buf) => Buffer.from(buf).toString('base64url');
const sha256 = (data) => createHash('sha256').update(data).digest();

/* CBOR (RFC 8949) of integers, byte strings (Buffer), text, arrays and
 * Maps (in insertion order: COSE keys need integer keys). */
function cbor(value) {
  const head = (major, n) => {
    if (n < 24) return Buffer.from([(major << 5) | n]);
    if (n < 0x100) return Buffer.from([(major << 5) | 24, n]);
    if (n < 0x10000) { const b = Buffer.alloc(3); b[0] = (major << 5) | 25; b.writeUInt16BE(n, 1); return b; }
    const b = Buffer.alloc(5); b[0] = (major << 5) | 26; b.writeUInt32BE(n, 1); return b;
  };
  if (Number.isInteger(value)) return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]);
  if (typeof value === 'string') {
    const text = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, text.length), text]);
  }
  if (Array.isArray(value)) return Buffer.concat([head(4, value.length), ...value.map(cbor)]);
  if (value instanceof Map) {
    const parts = [head(5, value.size)];
    for (const [k, v] of value) parts.push(cbor(k), cbor(v));
    return Buffer.concat(parts);
  }
  throw new Error(`softkey: cannot encode ${typeof value} in CBOR`);
}

const FLAG_UP = 0x01, FLAG_UV = 0x04, FLAG_AT = 0x40;

/* The key's material, written by scripts/browser-test.sh into
 * STEPUP_SOFTKEY_DIR: att.der (the attestation certificate, issued by the
 * test CA in the demo's roots), att.key (its private key, PEM) and aaguid
 * (the model, as a UUID, listed by the demo). */
export function softKeyMaterial(dir = process.env.STEPUP_SOFTKEY_DIR) {
  if (!dir) {
    throw new Error('STEPUP_SOFTKEY_DIR is not set: run scripts/browser-test.sh '
      + '(it makes the test CA and the attested security key)');
  }
  return {
    certificate: readFileSync(join(dir, 'att.der')),
    key: createPrivateKey(readFileSync(join(dir, 'att.key'))),
    aaguid: Buffer.from(readFileSync(join(dir, 'aaguid'), 'utf8').trim().replace(/-/g, ''), 'hex'),
  };
}

export class SoftSecurityKey {
  constructor(material = softKeyMaterial()) {
    this.material = material;
    this.credentials = [];   // { id, key, rpId, userHandle, counter }
  }

  clientData(type, challenge, origin) {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  /* navigator.credentials.create: options with the binary members as
   * base64url; returns RegistrationResponseJSON. */
  create(options, origin) {
    const rpId = options.rp.id || new URL(origin).hostname;
    const excluded = new Set((options.excludeCredentials || []).map((c) => c.id));
    if (this.credentials.some((c) => c.rpId === rpId && excluded.has(b64u(c.id)))) {
      const error = new Error('The authenticator already holds a credential for this account');
      error.name = 'InvalidStateError';
      throw error;
    }
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const id = randomBytes(32);
    const coseKey = cbor(new Map([[1, 2], [3, -7], [-1, 1],
      [-2, Buffer.from(jwk.x, 'base64url')], [-3, Buffer.from(jwk.y, 'base64url')]]));
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(id.length);
    const authData = Buffer.concat([sha256(rpId), Buffer.from([FLAG_UP | FLAG_UV | FLAG_AT]),
      Buffer.alloc(4), this.material.aaguid, idLength, id, coseKey]);
    const clientDataJSON = this.clientData('webauthn.create', options.challenge, origin);
    const sig = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]),
      this.material.key);
    const attestationObject = cbor(new Map([
      ['fmt', 'packed'],
      ['attStmt', new Map([['alg', -7], ['sig', sig], ['x5c', [this.material.certificate]]])],
      ['authData', authData],
    ]));
    this.credentials.push({ id, key: privateKey, rpId, userHandle: options.user.id, counter: 0 });
    return {
      id: b64u(id), rawId: b64u(id), type: 'public-key',
      authenticatorAttachment: 'cross-platform', clientExtensionResults: {},
      response: {
        clientDataJSON: b64u(clientDataJSON), attestationObject: b64u(attestationObject),
        transports: ['usb'],
      },
    };
  }

  /* navigator.credentials.get: returns AuthenticationResponseJSON. */
  get(options, origin) {
    const rpId = options.rpId || new URL(origin).hostname;
    const allowed = new Set((options.allowCredentials || []).map((c) => c.id));
    const cred = this.credentials.find((c) => c.rpId === rpId
      && (allowed.size === 0 || allowed.has(b64u(c.id))));
    if (!cred) {
      const error = new Error('The security key holds no credential for this request');
      error.name = 'NotAllowedError';
      throw error;
    }
    cred.counter += 1;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(cred.counter);
    const authData = Buffer.concat([sha256(rpId), Buffer.from([FLAG_UP | FLAG_UV]), counter]);
    const clientDataJSON = this.clientData('webauthn.get', options.challenge, origin);
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), cred.key);
    return {
      id: b64u(cred.id), rawId: b64u(cred.id), type: 'public-key',
      authenticatorAttachment: 'cross-platform', clientExtensionResults: {},
      response: {
        clientDataJSON: b64u(clientDataJSON), authenticatorData: b64u(authData),
        signature: b64u(signature), userHandle: cred.userHandle,
      },
    };
  }
}

/* Installs a SoftSecurityKey as the authenticator of every page of the
 * browser context: the page's navigator.credentials.create/get go to it.
 * Returns the key. */
export async function installSoftSecurityKey(context, key = new SoftSecurityKey()) {
  await context.exposeBinding('__stepupSoftKey', ({ frame }, op, options) => {
    const origin = new URL(frame.url()).origin;
    return op === 'create' ? key.create(options, origin) : key.get(options, origin);
  });
  await context.addInitScript(() => {
    const b64u = (buf) => {
      const bytes = new Uint8Array(buf instanceof ArrayBuffer ? buf : buf.buffer.slice(
        buf.byteOffset, buf.byteOffset + buf.byteLength));
      let raw = '';
      for (const b of bytes) raw += String.fromCharCode(b);
      return btoa(raw).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    };
    const asJSON = (o) => ({
      ...o,
      challenge: b64u(o.challenge),
      ...(o.user ? { user: { ...o.user, id: b64u(o.user.id) } } : {}),
      ...(o.excludeCredentials ? { excludeCredentials: o.excludeCredentials.map((c) => ({ ...c, id: b64u(c.id) })) } : {}),
      ...(o.allowCredentials ? { allowCredentials: o.allowCredentials.map((c) => ({ ...c, id: b64u(c.id) })) } : {}),
    });
    const call = async (op, publicKey) => {
      try {
        const json = await window.__stepupSoftKey(op, asJSON(publicKey));
        return { id: json.id, type: 'public-key', toJSON: () => json };
      } catch (e) {
        const m = /(InvalidStateError|NotAllowedError)/.exec(String(e && e.message));
        throw new DOMException(String(e && e.message), m ? m[1] : 'NotAllowedError');
      }
    };
    navigator.credentials.create = (o) => call('create', o.publicKey);
    navigator.credentials.get = (o) => call('get', o.publicKey);
  });
  return key;
}
