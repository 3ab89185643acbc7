# SPDX-License-Identifier: Apache-2.0
# Assurance levels: pwd < phr < phrh. At /pk/hi/ (t/conf/passkey.conf.in)
# StepupAttestationRoots is the test CA written by t/TEST.PL and
# StepupHighAssuranceAAGUIDs lists two models: a passkey is phrh only when
# device-bound (BE clear), attested by the CA and of a listed model. A
# listed AAGUID without such an attestation ("none", packed self, a
# certificate of the authenticator's own making) is a claim: phr. An
# attestation that verifies but does not chain to the CA is a passkey too
# (phr, registered, the log says why); one that does not verify is refused.
# /pk/listonly/ has the list without roots: nothing is phrh there. BE
# changing between registration and assertion refuses the assertion
# (WebAuthn L3 7.2); BS may change. "Require stepup acr=phrh" asks for phrh
# (API and browser), the confirm page offers only what reaches it,
# passkey/begin lists only such credentials. "Require stepup max-age=0"
# opens once per token. A failed step-up leaves the session alone. httpd
# refuses a malformed AAGUID file or roots PEM at start-up and warns (one
# line) about a list without roots. Users: hana, hugo, hal.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore plan done_testing need_module);
use Apache::TestRequest qw(GET POST);
use File::Temp qw(tempdir);
use StepupTest qw(check reset_ua hostport_url log_offset log_since
                  configtest);
use StepupToken qw(token_from);
use StepupClient qw(decoded err_of authn json_of csrf status post_json
                    register_begin register login_begin login_finish login
                    passkeys wipe race);
use PasskeyTest qw(pk_basic token_for ca site);
use SoftAuthn ();

plan need_module('stepup', 'auth_basic', 'authn_file', 'dbd',
                 'socache_shmcb');

reset_ua();

my $H = site('/pk/hi/');
my $B = site('/pk/stepup/');
my $tmp = tempdir('assurance-XXXXXX', DIR => $FindBin::Bin, CLEANUP => 1);

sub levels {
    my ($u) = @_;
    return join ',', sort map { $_->{level} } @{ passkeys($H, $u) || [] };
}
# "<status> <level>" of a registration, or "<status> <reason>"
sub level_of {
    my ($r) = @_;
    my $j = json_of($r) || {};
    return $r->code . ' ' . ($j->{level} || err_of($r));
}
sub get_as {
    my ($user, $path, $token, @h) = @_;
    return GET($path, pk_basic($user),
               (defined $token ? (Cookie => "stepup=$token") : ()), @h);
}
sub acr_of { my $t = token_from($_[0]); return $t ? StepupToken::parse($t) : {} }

wipe($H, $_) for qw(hana hugo hal);

my $CA = ca();
my $LISTED = SoftAuthn::aaguid_bytes($PasskeyTest::LISTED_AAGUIDS[0]);
my $LISTED2 = SoftAuthn::aaguid_bytes($PasskeyTest::LISTED_AAGUIDS[1]);
my $UNLISTED = SoftAuthn::aaguid_bytes($PasskeyTest::UNLISTED_AAGUID);
sub attested {
    my ($ca, $aaguid, %o) = @_;
    my $cert = SoftAuthn::make_attestation_cert($tmp, $ca, $aaguid,
                                                %{ $o{cert} || {} });
    return authn($B, attestation => 'x5c', aaguid => $aaguid,
                 x5c => [ $cert->{der}, @{ $o{chain} || [] } ],
                 att_key => $cert->{key_pem}, %{ $o{authn} || {} });
}

# ---- the attestation asked for ---------------------------------------------
{
    my ($r, $o) = register_begin($H, 'hana', csrf => csrf($H, 'hana'));
    check(($o || {})->{attestation}, 'direct',
          'register/begin with StepupAttestationRoots: attestation "direct"');
    ($r, $o) = register_begin($B, 'hana');
    check(($o || {})->{attestation}, 'none',
          'register/begin without StepupAttestationRoots: attestation "none"');
}

# ---- what a registration is worth ------------------------------------------
sub reg {
    my ($k, $user, %o) = @_;
    return register($k, $H, $user, csrf => csrf($H, $user), %o);
}
# the registration line of the log for a credential
sub reg_line {
    my ($log, $k) = @_;
    my $id = $k->credential_id_b64;
    my ($l) = grep { /STEPUP0071: .*passkey \Q$id\E registered/ } split /\n/, $log;
    return defined $l ? $l : 'no line';
}
my $hana_key = attested($CA, $LISTED);
check(level_of(reg($hana_key, 'hana', name => 'Security key')), '200 phrh',
      'attested by the test CA, device-bound, listed AAGUID: phrh');
check(levels('hana'), 'phrh', 'GET passkeys: level phrh');
{
    # a verified attestation that does not chain to a configured root is
    # a passkey all the same: phr, registered, and the log says why
    my $other = SoftAuthn::make_ca($tmp, 'unknown-root');
    my $k = attested($other, $LISTED);
    my $off = log_offset();
    check(level_of(reg($k, 'hugo', name => 'Own CA')), '200 phr',
          'a listed AAGUID attested by an unknown root: registered, phr');
    check(reg_line(log_since($off), $k),
          qr/registered \(device-bound, level phr, fmt packed; not phrh: packed attestation: the certificate chain does not reach a configured root: unable to get local issuer certificate\)$/,
          '... the log says why it is not phrh');
    my $k2 = attested($other, $LISTED, chain => [ do {
        local $/; open my $fh, '<', $other->{cert}; my $pem = <$fh>;
        $pem =~ s/-----[^-]+-----|\s+//g; MIME::Base64::decode_base64($pem) } ]);
    check(level_of(reg($k2, 'hugo', name => 'Own CA sent along')), '200 phr',
          'the unknown root sent along in x5c: phr');
    # a self-made certificate: no CA at all
    my $self_ca = SoftAuthn::make_ca($tmp, 'self-made');
    my $own = SoftAuthn::make_attestation_cert($tmp, $self_ca, $LISTED);
    my $k3 = authn($B, attestation => 'x5c', aaguid => $LISTED,
                   x5c => [ $own->{der} ], att_key => $own->{key_pem});
    check(level_of(reg($k3, 'hugo', name => 'Self-made')), '200 phr',
          'a listed AAGUID with a self-made certificate: phr');

    # an attestation that does not verify is refused, root or not
    my $k4 = attested($CA, $LISTED, cert => { ou => 'Marketing' });
    my $r = reg($k4, 'hana');
    check($r->code . ' ' . err_of($r), qr/^400 .*OU/,
          'an attestation certificate without OU=Authenticator Attestation: 400');
    my $k5 = attested($CA, $UNLISTED);
    $k5->set(aaguid => $LISTED);    # the certificate says another model
    $r = reg($k5, 'hana');
    check($r->code . ' ' . err_of($r), qr/^400 .*AAGUID/i,
          'an AAGUID other than the certificate\'s: 400');
    my $k6 = attested($CA, $LISTED, cert => { ca => 1 });
    $r = reg($k6, 'hana');
    check($r->code, 400, 'an attestation certificate with CA:TRUE: 400');
    my $k7 = attested($CA, $LISTED);
    $k7->set(att_key => SoftAuthn::make_attestation_cert($tmp, $CA, $LISTED)->{key_pem});
    $r = reg($k7, 'hana');
    check($r->code . ' ' . err_of($r), qr/^400 .*signature/,
          'an attestation signed by another key than the certificate\'s: 400');
    $r = reg($k7, 'hana', over => { fmt => 'packed', attestation => 'none' });
    check($r->code . ' ' . err_of($r), qr/^400 packed attStmt/,
          'a malformed packed statement (no alg, no sig): 400');
    check(levels('hana'), 'phrh', 'hana still has only the one passkey');
}

# claims without proof: a listed AAGUID, device-bound, is phr
my $hugo_none = authn($B, aaguid => $LISTED);               # none, listed
my $hugo_self = authn($B, aaguid => $LISTED2, attestation => 'self');
{
    my $off = log_offset();
    check(level_of(reg($hugo_none, 'hugo', name => 'Claims a YubiKey')),
          '200 phr', 'a listed AAGUID, device-bound, attestation none: phr');
    check(reg_line(log_since($off), $hugo_none),
          qr/level phr, fmt none; not phrh: an attestation of format none proves nothing about the authenticator\)$/,
          '... the log says why');
    check(level_of(reg($hugo_self, 'hugo', name => 'Claims by itself')),
          '200 phr', 'a listed AAGUID, device-bound, packed self attestation: phr');
}
check(levels('hugo'), 'phr,phr,phr,phr,phr',
      'GET passkeys: hugo\'s five claiming passkeys are all phr');

my $hal_sync = authn($B, aaguid => $LISTED2, be => 1, bs => 1);
my $hal_att_sync = attested($CA, $LISTED, authn => { be => 1, bs => 0 });
my $hal_self = authn($B, aaguid => $UNLISTED, attestation => 'self',
                     alg => 'EdDSA');
my $hal_unlisted = attested($CA, $UNLISTED);
check(level_of(reg($hal_sync, 'hal')), '200 phr',
      'a listed AAGUID, synced (BE, BS): phr');
check(level_of(reg($hal_att_sync, 'hal')), '200 phr',
      'attested by the test CA, listed, but backup eligible (BE): phr');
check(level_of(reg($hal_self, 'hal')), '200 phr',
      'packed self attestation, device-bound, unlisted: phr');
{
    my $off = log_offset();
    check(level_of(reg($hal_unlisted, 'hal')), '200 phr',
          'attested by the test CA, device-bound, AAGUID not listed: phr');
    my $aaguid = $PasskeyTest::UNLISTED_AAGUID =~ s/-//gr;
    check(reg_line(log_since($off), $hal_unlisted),
          qr/, attested; not phrh: AAGUID \Q$aaguid\E is not in StepupHighAssuranceAAGUIDs\)$/,
          '... the log says why');
}
check(levels('hal'), 'phr,phr,phr,phr', 'GET passkeys: hal four phr');

# a row stored phrh under the old rule (a claimed AAGUID, no trusted
# attestation): read as phr everywhere, whatever the database says
{
    my $db = PasskeyTest::pk_dir() . '/passkeys.sqlite';
    my $id = $hugo_none->credential_id_b64;
    my $rc = system('sqlite3', $db, "UPDATE stepup_credentials SET level = 'phrh' "
                    . "WHERE credential_id = '$id'");
    check($rc, 0, 'setup: hugo\'s claiming key stored as phrh, as the old rule did');
    my ($l) = grep { $_->{id} eq $id } @{ passkeys($H, 'hugo') || [] };
    check(($l || {})->{level} || '-', 'phr',
          '... GET passkeys lists it as phr (no trusted attestation)');
    my ($r) = login_begin($H, 'hugo', csrf => csrf($H, 'hugo'), acr => 'phrh');
    check($r->code, 409, '... and passkey/begin acr phrh does not offer it');
    $r = login($hugo_none, $H, 'hugo', csrf => csrf($H, 'hugo'));
    check(join(' ', $r->code, acr_of($r)->{acr} || '-'), '200 phr',
          '... a step-up with it gives phr');
}

# a list without roots (/pk/listonly/): nothing can be phrh there
{
    my $L = site('/pk/listonly/');
    my ($r, $o) = register_begin($L, 'hal', csrf => csrf($L, 'hal'));
    check(($o || {})->{attestation}, 'none',
          'StepupHighAssuranceAAGUIDs without roots: register/begin asks "none"');
    my $k = attested($CA, $LISTED);
    $r = register($k, $L, 'hal', csrf => csrf($L, 'hal'));
    check(level_of($r), '200 phr',
          '... a listed model, even attested by the test CA: phr there');
    post_json($L, 'passkeys/delete', 'hal', { id => $k->credential_id_b64 },
              csrf => csrf($L, 'hal'),
              token => PasskeyTest::strong_token('hal'));
    check(levels('hal'), 'phr,phr,phr,phr', '(removed again)');
}

# hana also has a plain passkey next to her security key
my $hana_plain = authn($B, aaguid => $UNLISTED);
check(level_of(reg($hana_plain, 'hana', name => 'Plain key')), '200 phr',
      'hana adds a plain passkey (none, unlisted): phr');

# ---- passkey/begin and the level asked for ---------------------------------
sub allowed {
    my ($user, %o) = @_;
    my ($r, $opts) = login_begin($H, $user, csrf => csrf($H, $user), %o);
    return join ',', sort map { $_->{id} } @{ ($opts || {})->{allowCredentials} || [] };
}
my $hana_both = join(',', sort $hana_key->credential_id_b64,
                     $hana_plain->credential_id_b64);
check(allowed('hana', acr => 'phrh'), $hana_key->credential_id_b64,
      'passkey/begin acr phrh: only the phrh credential');
check(allowed('hana', acr => 'phr'), $hana_both, 'passkey/begin acr phr: both');
check(allowed('hana'), $hana_both, 'passkey/begin without acr: both');
check(allowed('hana', acr => 'pwd'), $hana_both,
      'passkey/begin acr pwd: both (a passkey is phr at least)');
{
    my ($r) = login_begin($H, 'hal', csrf => csrf($H, 'hal'), acr => 'phrh');
    check($r->code, 409, 'passkey/begin acr phrh for hal (no phrh passkey): 409');
    check(err_of($r), qr/hardware security key/, '... reason: no hardware security key');
    ($r) = login_begin($H, 'hal', csrf => csrf($H, 'hal'), acr => 'gold');
    check($r->code, 400, 'passkey/begin acr gold: 400');
    check(err_of($r), qr/acr/, '... reason names acr');
}

# ---- a phrh step-up --------------------------------------------------------
my $hana_token;
{
    my $r = login($hana_key, $H, 'hana', csrf => csrf($H, 'hana'), acr => 'phrh',
                  return_to => '/pk/phrh/');
    my $j = json_of($r) || {};
    check($r->code . ' ' . ($j->{acr} || err_of($r)), '200 phrh',
          'assertion with the attested key: 200, acr phrh');
    my $t = acr_of($r);
    check(join(' ', $t->{user} || '-', $t->{acr} || '-', $t->{amr} || '-'),
          'hana phrh hwk', 'token: user hana, acr phrh, amr hwk');
    $hana_token = token_from($r);
    my $p = get_as('hana', '/pk/phrh/', $hana_token);
    check($p->code . ' ' . ($p->header('X-Stepup-Acr') || '-'), '200 phrh',
          'the phrh token opens /pk/phrh/ (STEPUP_ACR phrh)');
    check(get_as('hana', '/pk/phr/', $hana_token)->code, 200, '... and /pk/phr/');
    check(get_as('hana', '/pk/protected/', $hana_token)->code, 200,
          '... and /pk/protected/');
    # without asking for phrh the token is still of the credential's level
    $r = login($hana_key, $H, 'hana', csrf => csrf($H, 'hana'));
    check(acr_of($r)->{acr}, 'phrh',
          'the attested key, begin without acr: token phrh all the same');
}

# ---- claims of a listed model: a step-up for phrh is refused, phr granted --
{
    my ($r) = login_begin($H, 'hugo', csrf => csrf($H, 'hugo'), acr => 'phrh');
    check($r->code . ' ' . err_of($r), qr/^409 .*hardware security key/,
          'hugo (only claims of a listed model): passkey/begin acr phrh: 409');
    my @got;
    for my $k ($hugo_none, $hugo_self) {
        $r = login($k, $H, 'hugo', csrf => csrf($H, 'hugo'), acr => 'phr');
        push @got, join(' ', $r->code, acr_of($r)->{acr} || '-');
    }
    check("@got", '200 phr 200 phr',
          '... acr phr with the "none" and the self-attested claim: granted, phr');
}

# ---- a phr credential where phrh was asked ---------------------------------
{
    my ($r, $o) = login_begin($H, 'hana', csrf => csrf($H, 'hana'), acr => 'phrh');
    $r = login_finish($H, 'hana', $hana_plain->assert($o || {}), csrf => csrf($H, 'hana'));
    check($r->code, 403, 'begin acr phrh, then the phr key: 403');
    check(err_of($r), qr/hardware security key/, '... reason: not a hardware security key');
    check(token_from($r), undef, '... no cookie');
}

# ---- Require stepup acr=phrh with a phr token ------------------------------
my $hugo_phr;
{
    my $r = login($hugo_none, $H, 'hugo', csrf => csrf($H, 'hugo'));
    check(acr_of($r)->{acr}, 'phr', 'the key claiming a listed model: a phr token');
    $hugo_phr = token_from($r);
    my $api = get_as('hugo', '/pk/phrh/', $hugo_phr, Accept => 'application/json');
    check($api->code, 401, 'phr token at /pk/phrh/ (API): 401');
    check(join(' | ', $api->header('WWW-Authenticate')),
          qr/^Bearer error="insufficient_user_authentication", (?x)
              error_description="[^"]+", \s acr_values="phrh", \s max_age=300$/,
          '... WWW-Authenticate: Bearer, acr_values="phrh"');
    my $j = json_of($api) || {};
    check(join(' ', $j->{error} || '-', $j->{acr_values} || '-'),
          'insufficient_user_authentication phrh', '... JSON body: acr_values phrh');
    check(decoded($j->{confirm_url}), '/pk/stepup/ return_to=/pk/phrh/&acr=phrh',
          '... confirm_url with acr=phrh');
    my $nav = get_as('hugo', '/pk/phrh/?amount=1000', $hugo_phr,
                     'Sec-Fetch-Mode' => 'navigate', Accept => 'text/html');
    check($nav->code, 302, 'phr token at /pk/phrh/ (browser): 302');
    check(decoded($nav->header('Location')),
          hostport_url('/pk/stepup/') . ' return_to=/pk/phrh/?amount=1000&acr=phrh',
          '... to the confirm page with &acr=phrh');
    $api = get_as('hugo', '/pk/phrh/', token_for('hugo'), Accept => 'application/json');
    check(join(' | ', $api->code, $api->header('WWW-Authenticate')),
          qr/^401 \| Bearer .*acr_values="phrh"/, 'a pwd token at /pk/phrh/: 401 acr_values="phrh"');
    check(get_as('hugo', '/pk/phr/', $hugo_phr)->code, 200,
          'the phr token still opens /pk/phr/');
    # a minted phrh token is as good (the level is in the token)
    check(get_as('hugo', '/pk/phrh/', token_for('hugo', acr => 'phrh'))->code, 200,
          'a phrh token (minted) opens /pk/phrh/');
}

# ---- BE changing between registration and assertion (WebAuthn L3 7.2) ------
{
    my $id = $hana_key->credential_id_b64;
    $hana_key->set(be => 1, bs => 1);
    my $off = log_offset();
    my $r = login($hana_key, $H, 'hana', csrf => csrf($H, 'hana'));
    check($r->code . ' ' . err_of($r), qr/^401 .*backup eligibility \(BE\) changed/,
          'the phrh key now reporting BE/BS: 401, the reason');
    check(scalar(grep { defined } $r->header('Set-Cookie')), 0, '... no cookie');
    check(log_since($off),
          qr/\QSTEPUP0063: user hana: passkey $id reports BE=1, registered with BE=0: assertion refused\E/,
          '... and the log says so');
    $hana_key->set(be => 1, bs => 0);
    $r = login($hana_key, $H, 'hana', csrf => csrf($H, 'hana'));
    check($r->code, 401, 'BE without BS: refused too');
    check(levels('hana'), 'phr,phrh', 'GET passkeys: the key is still phrh');
    $hana_key->set(be => 0, bs => 0);
    $r = login($hana_key, $H, 'hana', csrf => csrf($H, 'hana'), acr => 'phrh');
    check(join(' ', $r->code, acr_of($r)->{acr} || '-'), '200 phrh',
          'BE clear again, as registered: 200 phrh');
    check(get_as('hana', '/pk/phrh/', $hana_token)->code, 200,
          'the earlier phrh token is unaffected');
    # a synced passkey: BS may change, BE may not
    $hal_sync->set(bs => 0);
    $r = login($hal_sync, $H, 'hal', csrf => csrf($H, 'hal'));
    check(join(' ', $r->code, acr_of($r)->{acr} || '-', acr_of($r)->{amr} || '-'),
          '200 phr swk', 'a synced passkey whose BS went off: 200 phr (BS may change)');
    $hal_sync->set(be => 0, bs => 0);
    $r = login($hal_sync, $H, 'hal', csrf => csrf($H, 'hal'));
    check($r->code . ' ' . err_of($r), qr/^401 .*\(BE\)/,
          'the synced passkey reporting BE clear: 401');
    $hal_sync->set(be => 1, bs => 1);
}

# ---- the confirm page for acr=phrh -----------------------------------------
{
    my $pw = qr/<input[^>]*type="password"/;
    my $use = qr/<button[^>]*data-action="confirm"[^>]*>Use passkey</;
    my $p = get_as('hana', "$H?return_to=%2Fpk%2Fphrh%2F&acr=phrh", undef,
                   Accept => 'text/html');
    check($p->code, 200, 'confirm page ?acr=phrh for hana: 200');
    check($p->content =~ $pw ? 'password field' : 'no password field',
          'no password field', '... no password field (a password is not enough)');
    check($p->content, qr/<button[^>]*data-acr="phrh"[^>]*>Use passkey</,
          '... "Use passkey" asking for phrh');
    $p = get_as('hal', "$H?return_to=%2Fpk%2Fphrh%2F&acr=phrh", undef,
                Accept => 'text/html');
    check($p->content =~ $pw ? 'password field' : 'no password field',
          'no password field', 'confirm page ?acr=phrh for hal: no password field');
    check($p->content =~ $use ? 'button' : 'no button', 'no button',
          '... no "Use passkey" (hal has no phrh passkey)');
    check($p->content, qr/<p>You have [^<]*hardware security key/,
          '... and says a hardware security key is needed');
    check($p->content =~ /\bno a\b/ ? 'no a' : 'good', 'good',
          '... in English ("You have no a hardware security key" is not)');
    $p = get_as('hal', "$H?return_to=%2F&acr=phr", undef, Accept => 'text/html');
    check(join(' ', $p->content =~ $pw ? 'password' : 'no-password',
               $p->content =~ $use ? 'button' : 'no-button'),
          'no-password button', 'confirm page ?acr=phr for hal: "Use passkey", no password');
    $p = get_as('hal', "$H?return_to=%2F", undef, Accept => 'text/html');
    check(join(' ', $p->content =~ $pw ? 'password' : 'no-password',
               $p->content =~ $use ? 'button' : 'no-button'),
          'password button', 'confirm page without acr for hal: both');
}

# ---- Require stepup max-age=0: once per token ------------------------------
{
    check(get_as('hal', '/pk/once/', token_for('hal'))->code, 401,
          'max-age=0: a valid token the module did not mint (no mark): 401');
    my $t = PasskeyTest::password_token($H, 'hal');
    my $r = get_as('hal', '/pk/once/', $t, Accept => 'application/json');
    check($r->code . ' ' . ($r->content =~ /pk-once-page/ ? 'page' : 'no page'),
          '200 page', 'max-age=0 with a fresh token: 200, the page');
    $r = get_as('hal', '/pk/once/', $t, Accept => 'application/json');
    check($r->code, 401, 'the same token again: 401');
    check(join(' | ', $r->header('WWW-Authenticate')), qr/acr_values="pwd", max_age=0$/,
          '... WWW-Authenticate with max_age=0');
    $r = get_as('hal', '/pk/once/index.html', $t, Accept => 'application/json');
    check($r->code, 401, '... spent for every max-age=0 request (index.html too)');
    $r = get_as('hal', '/pk/once/', $t, 'Sec-Fetch-Mode' => 'navigate',
                Accept => 'text/html');
    check($r->code . ' ' . decoded($r->header('Location')),
          '302 ' . hostport_url('/pk/stepup/') . ' return_to=/pk/once/',
          '... a browser is sent to confirm again');
    check(get_as('hal', '/pk/protected/', $t)->code, 200,
          'the spent token still opens a normal location');
    check(get_as('hal', '/pk/open/', undef)->code, 200,
          'and the primary session is untouched');
    my $t2 = PasskeyTest::password_token($H, 'hal');
    check(get_as('hal', '/pk/once/', $t2)->code, 200, 'a new token: once more');
    check(get_as('hal', '/pk/once/', $t2)->code, 401, '... and not twice');
    my $t3 = PasskeyTest::password_token($H, 'hal');
    my $send = sub { get_as('hal', '/pk/once/', $t3) };
    my @race = sort { $a cmp $b } race(($send) x 8);
    check("@race", '200 401 401 401 401 401 401 401',
          'one token sent 8 times at once to max-age=0: one 200, seven 401');
    my $pk = login($hal_self, $H, 'hal', csrf => csrf($H, 'hal'));
    my $pt = token_from($pk);
    check(join(' ', get_as('hal', '/pk/once/', $pt)->code,
               get_as('hal', '/pk/once/', $pt)->code), '200 401',
          'a passkey token: once, then no more');
}

# ---- a failed step-up leaves the primary session working -------------------
{
    my $t = token_for('hal');
    my $r = login($hal_self, $H, 'hal', csrf => csrf($H, 'hal'), token => $t,
                  over => { signature => 'not a signature' });
    check($r->code, 401, 'a failed passkey step-up: 401');
    check(scalar(grep { defined } $r->header('Set-Cookie')), 0,
          '... no Set-Cookie at all (the token is not cleared)');
    check(get_as('hal', '/pk/open/', undef)->code, 200,
          '... Basic still opens /pk/open/');
    check(get_as('hal', '/pk/protected/', $t)->code, 200,
          '... the token held before still opens /pk/protected/');
    $r = POST("${H}password", pk_basic('hal'), Cookie => "stepup=$t",
              'Content-Type' => 'application/x-www-form-urlencoded',
              content => 'password=wrong&return_to=%2F&csrf=' . csrf($H, 'hal'));
    check($r->code . ' ' . scalar(grep { defined } $r->header('Set-Cookie')),
          '401 0', 'a wrong password: 401 and no Set-Cookie');
    check(get_as('hal', '/pk/open/', undef)->code, 200,
          '... Basic still opens /pk/open/');
    check(get_as('hal', '/pk/protected/', $t)->code, 200,
          '... and the token still opens /pk/protected/');
}

# ---- start-up refusals -----------------------------------------------------
{
    my $keys = StepupTest::work_file('good.keys',
        "k1 " . SoftAuthn::b64u(SoftAuthn::random_bytes(32)) . "\n");
    my $roots = $CA->{cert};
    my $aaguids = StepupTest::work_file('good-aaguids.txt',
        "# comment\n$PasskeyTest::LISTED_AAGUIDS[0]\n");
    my $conf = sub {
        my ($a, $r) = @_;
        return "StepupKeyFile \"$keys\"\n<Location /x/>\n"
             . "  StepupHighAssuranceAAGUIDs \"$a\"\n"
             . "  StepupAttestationRoots \"$r\"\n</Location>\n";
    };
    my ($status, @err) = configtest($conf->($aaguids, $roots));
    check($status, 0, 'a good AAGUID file and roots PEM: httpd -t passes ('
          . join(' / ', @err) . ')');
    my $refused = sub {
        my ($name, $body, $re) = @_;
        my ($st, @lines) = configtest($body);
        check($st >= 128 ? "signal" : $st ? 'refused' : 'exit 0', 'refused',
              "$name: httpd -t fails");
        my @hits = grep { /$re/ } @lines;
        check(scalar @hits, 1, "$name: one line says why (" . join(' / ', @lines) . ")");
    };
    my $bad = StepupTest::work_file('bad-aaguids.txt',
        "$PasskeyTest::LISTED_AAGUIDS[0]\nnot-a-uuid-at-all\n");
    $refused->('AAGUID file with a line that is no UUID',
               $conf->($bad, $roots), qr/StepupHighAssuranceAAGUIDs.*line 2.*not a UUID/);
    my $short = StepupTest::work_file('short-aaguids.txt',
                                      "cb69481e-8ff7-4039-93ec\n");
    $refused->('AAGUID file with a short UUID',
               $conf->($short, $roots), qr/StepupHighAssuranceAAGUIDs.*line 1/);
    my $zero = StepupTest::work_file('zero-aaguids.txt',
        "00000000-0000-0000-0000-000000000000\n");
    $refused->('AAGUID file with the all-zero AAGUID',
               $conf->($zero, $roots), qr/StepupHighAssuranceAAGUIDs.*zero/);
    my $empty = StepupTest::work_file('empty-aaguids.txt', "# nothing\n");
    $refused->('AAGUID file of comments only',
               $conf->($empty, $roots), qr/StepupHighAssuranceAAGUIDs.*no AAGUID/i);
    my $badpem = StepupTest::work_file('bad-roots.pem',
        "-----BEGIN CERTIFICATE-----\nMIIBbroken!!notbase64\n-----END CERTIFICATE-----\n");
    $refused->('roots PEM that does not decode',
               $conf->($aaguids, $badpem), qr/StepupAttestationRoots.*malformed/);
    my $nocert = StepupTest::work_file('nocert-roots.pem', "just text\n");
    $refused->('roots file without a certificate',
               $conf->($aaguids, $nocert), qr/StepupAttestationRoots.*no PEM certificate/);
    $refused->('roots file missing',
               $conf->($aaguids, "$tmp/nope.pem"), qr/StepupAttestationRoots.*(open|No such)/);
    # an AAGUID list without roots: started, and one line says that
    # nothing can be phrh (phrh needs a proven model); with roots, no
    # such line
    my $listonly = "StepupKeyFile \"$keys\"\n<Location /x/>\n"
                 . "  StepupHighAssuranceAAGUIDs \"$aaguids\"\n</Location>\n"
                 . "<Location /y/>\n  StepupHighAssuranceAAGUIDs \"$aaguids\"\n"
                 . "</Location>\n";
    ($status, @err) = configtest($listonly);
    check($status, 0, 'StepupHighAssuranceAAGUIDs without roots: httpd -t passes');
    my @warn = grep { /STEPUP0090: StepupHighAssuranceAAGUIDs is set without StepupAttestationRoots .*no passkey can be phrh/ } @err;
    check(scalar @warn, 1, '... one warning line says no passkey can be phrh ('
          . join(' / ', @err) . ')');
    ($status, @err) = configtest($conf->($aaguids, $roots));
    check(scalar(grep { /STEPUP0090/ } @err), 0, 'with roots: no such warning');
    ($status, @err) = configtest("StepupKeyFile \"$keys\"\n"
        . "StepupAttestationRoots \"$roots\"\n<Location /x/>\n"
        . "  StepupHighAssuranceAAGUIDs \"$aaguids\"\n</Location>\n");
    check(scalar(grep { /STEPUP0090/ } @err), 0,
          'roots for the whole server, the list in a Location: no warning');
    # one line each: not two for the same mistake
    ($status, @err) = configtest($conf->($bad, $badpem));
    check($status ? 'refused' : 'exit 0', 'refused',
          'both files bad: refused (the first one named)');
}

done_testing();
