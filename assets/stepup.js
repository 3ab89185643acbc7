/* SPDX-License-Identifier: Apache-2.0
 *
 * mod_stepup confirm pages. The password form works without this script;
 * passkeys need it (navigator.credentials). Cancelling a passkey prompt
 * never signs anyone out: the page says so and stays usable. */
(function () {
  'use strict';

  function b64urlToBuffer(text) {
    var b64 = text.replace(/-/g, '+').replace(/_/g, '/');
    while (b64.length % 4) b64 += '=';
    var raw = atob(b64), bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes.buffer;
  }

  function bufferToB64url(buffer) {
    var bytes = new Uint8Array(buffer), raw = '';
    for (var i = 0; i < bytes.length; i++) raw += String.fromCharCode(bytes[i]);
    return btoa(raw).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function post(url, csrf, body) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'Content-Type': 'application/json',
        'Accept': 'application/json',
        'X-Stepup-CSRF': csrf,
        /* the page, not an API client: a step-up that resumes a one-time
         * action leaves its bound token beside it for POST resume, which
         * the page sends next */
        'X-Stepup-Page': '1'
      },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().catch(function () { return {}; })
        .then(function (json) {
          if (!response.ok || json.ok === false) {
            var error = new Error(json.error || ('HTTP ' + response.status));
            error.status = response.status;
            error.confirmUrl = json.confirm_url;
            throw error;
          }
          return json;
        });
    });
  }

  function requestOptions(o) {
    return {
      challenge: b64urlToBuffer(o.challenge),
      rpId: o.rpId,
      timeout: o.timeout,
      userVerification: o.userVerification,
      allowCredentials: (o.allowCredentials || []).map(function (c) {
        return { type: c.type, id: b64urlToBuffer(c.id), transports: c.transports };
      })
    };
  }

  function creationOptions(o) {
    return {
      rp: o.rp,
      user: { id: b64urlToBuffer(o.user.id), name: o.user.name, displayName: o.user.displayName },
      challenge: b64urlToBuffer(o.challenge),
      pubKeyCredParams: o.pubKeyCredParams,
      timeout: o.timeout,
      excludeCredentials: (o.excludeCredentials || []).map(function (c) {
        return { type: c.type, id: b64urlToBuffer(c.id) };
      }),
      authenticatorSelection: o.authenticatorSelection,
      attestation: o.attestation
    };
  }

  /* The standard RegistrationResponseJSON / AuthenticationResponseJSON. */
  function credentialJSON(cred) {
    if (typeof cred.toJSON === 'function') return cred.toJSON();
    var r = cred.response, json = {
      id: cred.id,
      rawId: bufferToB64url(cred.rawId),
      type: cred.type,
      clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
      authenticatorAttachment: cred.authenticatorAttachment || undefined,
      response: { clientDataJSON: bufferToB64url(r.clientDataJSON) }
    };
    if (r.attestationObject) {
      json.response.attestationObject = bufferToB64url(r.attestationObject);
      json.response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      json.response.authenticatorData = bufferToB64url(r.authenticatorData);
      json.response.signature = bufferToB64url(r.signature);
      json.response.userHandle = r.userHandle ? bufferToB64url(r.userHandle) : null;
    }
    return json;
  }

  function cancelled(error) {
    return error && (error.name === 'NotAllowedError' || error.name === 'AbortError');
  }

  function say(node, text, isError) {
    node.textContent = text;
    node.classList.toggle('error', !!isError);
  }

  function confirmWithPasskey(base, csrf, returnTo, acr, resume) {
    var args = { return_to: returnTo, acr: acr };
    if (resume) args.resume = resume;
    return post(base + 'passkey/begin', csrf, args)
      .then(function (options) {
        return navigator.credentials.get({ publicKey: requestOptions(options) });
      })
      .then(function (cred) {
        return post(base + 'passkey/finish', csrf, credentialJSON(cred));
      });
  }

  function registerPasskey(base, csrf, name) {
    return post(base + 'passkey/register/begin', csrf, { name: name })
      .then(function (options) {
        return navigator.credentials.create({ publicKey: creationOptions(options) });
      })
      .then(function (cred) {
        return post(base + 'passkey/register/finish', csrf, credentialJSON(cred));
      });
  }

  /* Sends the parked request again: the same form the page shows without
   * script, posted by the browser so that the application's answer is the
   * page the user lands on. */
  function resume(url, csrf, id) {
    var form = document.createElement('form');
    form.method = 'post';
    form.action = url;
    [['csrf', csrf], ['id', id]].forEach(function (field) {
      var input = document.createElement('input');
      input.type = 'hidden';
      input.name = field[0];
      input.value = field[1];
      form.appendChild(input);
    });
    document.body.appendChild(form);
    form.submit();
  }

  var LEVELS = { pwd: 1, phr: 2, phrh: 3 };

  /* After adding a passkey stronger than the current step-up, confirm with
   * it: changing passkeys needs the level of the strongest one (the
   * passkeys page would ask anyway), and the user sees the new one work. */
  function confirmIfWeaker(base, csrf, level) {
    return fetch(base + 'status', {
      credentials: 'same-origin',
      headers: { 'Accept': 'application/json' }
    }).then(function (response) { return response.json(); })
      .then(function (st) {
        if ((LEVELS[st.acr] || 0) >= (LEVELS[level] || 0)) return null;
        return confirmWithPasskey(base, csrf, base + 'manage', level);
      });
  }

  function wire(button) {
    var status = document.getElementById('passkey-status');
    var d = button.dataset;
    button.addEventListener('click', function () {
      if (!window.PublicKeyCredential) {
        say(status, 'This browser cannot use passkeys.', true);
        return;
      }
      button.disabled = true;
      button.setAttribute('aria-busy', 'true');
      say(status, d.action === 'register'
        ? 'Follow your browser\u2019s prompt to create a passkey\u2026'
        : 'Follow your browser\u2019s prompt to use your passkey\u2026', false);
      var nameField = d.nameFrom && document.getElementById(d.nameFrom);
      var name = (nameField && nameField.value.trim()) || d.name || 'Passkey';
      var flow;
      if (d.action === 'add') {
        flow = registerPasskey(d.base, d.csrf, name).then(function (added) {
          say(status, 'Passkey added. Now confirm with it\u2026', false);
          return confirmIfWeaker(d.base, d.csrf, added.level)
            .catch(function () { return null; }) /* the page will ask */
            .then(function () {
              say(status, 'Passkey added.', false);
              window.location.reload();
              return null;
            });
        });
      } else if (d.action === 'register') {
        flow = registerPasskey(d.base, d.csrf, name).then(function () {
          say(status, 'Passkey added. Now confirm with it\u2026', false);
          return confirmWithPasskey(d.base, d.csrf, d.returnTo, d.acr, d.resume);
        });
      } else {
        flow = confirmWithPasskey(d.base, d.csrf, d.returnTo, d.acr, d.resume);
      }
      flow.then(function (result) {
        if (!result) return;
        if (result.resume && result.resume_url) {
          say(status, 'Confirmed. Continuing\u2026', false);
          resume(result.resume_url, d.csrf, result.resume);
          return;
        }
        say(status, 'Confirmed. Taking you back\u2026', false);
        window.location.assign(result.return_to || d.returnTo || '/');
      }).catch(function (error) {
        if (error.status === 401 && error.confirmUrl) {
          /* changing passkeys needs a (stronger) confirmation first: the
           * confirm page brings the user back to the passkeys page */
          say(status, error.message + '\u2026', false);
          window.location.assign(error.confirmUrl);
          return;
        }
        button.disabled = false;
        button.removeAttribute('aria-busy');
        /* a kept action (a transfer, say) waits: say plainly it was not done */
        say(status, cancelled(error)
          ? (d.resume
            ? 'Passkey confirmation was cancelled: the action above was not carried out. You are still signed in; try again when you are ready.'
            : 'Passkey confirmation was cancelled. You are still signed in; try again when you are ready.')
          : (d.action === 'add' ? 'Adding the passkey failed: ' : 'Passkey confirmation failed: ')
            + error.message + '. You are still signed in.', true);
        button.focus();
      });
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    var buttons = document.querySelectorAll('button[data-action]');
    for (var i = 0; i < buttons.length; i++) wire(buttons[i]);
    /* after a confirmation, the interrupted action goes on by itself; the
     * Continue button does it without script */
    var next = document.querySelector('form[data-auto-submit]');
    if (next) {
      if (next.requestSubmit) next.requestSubmit();
      else next.submit();
    }
  });

  /* a form is sent once */
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (form.dataset.sent) {
      event.preventDefault();
      return;
    }
    form.dataset.sent = '1';
    var button = form.querySelector('button[type=submit]');
    if (button) {
      button.disabled = true;
      button.setAttribute('aria-busy', 'true');
    }
  });
})();
