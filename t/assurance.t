# Assurance levels (DESIGN 5, issue 5): pwd < phr < phrh. At /pk/hi/
# (t/conf/passkey.conf.in) StepupAttestationRoots is the test CA written by
# t/TEST.PL and StepupHighAssuranceAAGUIDs lists two models: a passkey is
# phrh when device-bound (BE clear) and attested by the CA or of a listed
# model; a synced one is phr whatever it is. BE showing up at a later
# assertion lowers the token to phr. "Require stepup acr=phrh" asks for
# phrh (API and browser), the confirm page offers only what reaches it,
# passkey/begin lists only such credentials. "Require stepup max-age=0"
# opens once per token. A failed step-up leaves the session alone. httpd
# refuses a malformed AAGUID file or roots PEM at start-up.
# Users: hana, hugo, hal.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore plan need_module);
use Apache::TestRequest qw(GET POST);
use File::Temp qw(tempdir);
use StepupTest qw(check reset_ua hostport_url);
use StepupToken ();
use SoftAuthn ();
use PasskeyTest qw(decoded err_of pk_basic authn json_of csrf status post_json
                   register_begin register login_begin login_finish login
                   passkeys wipe token_for token_from log_offset log_since
                   configtest ca);

plan tests => 99, need_module('stepup', 'auth_basic', 'authn_file', 'dbd',
                               'socache_shmcb');

reset_ua();

my $H = '/pk/hi/';
my $B = '/pk/stepup/';
my $tmp = tempdir('assurance-XXXXXX', DIR => $FindBin::Bin, CLEANUP => 1);

sub levels {
    my ($u) = @_;
    return join ',', map { $_->{level} } @{ passkeys($H, $u) || [] };
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
    return authn(attestation => 'x5c', aaguid => $aaguid,
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
my $hana_key = attested($CA, $UNLISTED);
check(level_of(reg($hana_key, 'hana', name => 'Security key')), '200 phrh',
      'attested by the test CA, device-bound, unlisted AAGUID: phrh');
check(levels('hana'), 'phrh', 'GET passkeys: level phrh');
{
    my $other = SoftAuthn::make_ca($tmp, 'unknown-root');
    my $k = attested($other, $UNLISTED);
    my $r = reg($k, 'hana');
    check($r->code, 400, 'a chain to an unknown root: 400');
    check(err_of($r), qr/root/, '... the reason: ' . err_of($r));
    my $k2 = attested($other, $UNLISTED, chain => [ do {
        local $/; open my $fh, '<', $other->{cert}; my $pem = <$fh>;
        $pem =~ s/-----[^-]+-----|\s+//g; MIME::Base64::decode_base64($pem) } ]);
    $r = reg($k2, 'hana');
    check($r->code, 400, 'the unknown root sent along in x5c: still 400');
    # a listed AAGUID does not rescue an attestation that does not verify
    my $k3 = attested($other, $LISTED);
    $r = reg($k3, 'hana');
    check($r->code, 400, 'a listed AAGUID with a chain to an unknown root: 400');
    my $k4 = attested($CA, $UNLISTED, cert => { ou => 'Marketing' });
    $r = reg($k4, 'hana');
    check($r->code . ' ' . err_of($r), qr/^400 .*OU/,
          'an attestation certificate without OU=Authenticator Attestation: 400');
    my $k5 = attested($CA, $UNLISTED);
    $k5->set(aaguid => $LISTED);    # the certificate says another model
    $r = reg($k5, 'hana');
    check($r->code . ' ' . err_of($r), qr/^400 .*AAGUID/i,
          'an AAGUID other than the certificate\'s: 400');
    my $k6 = attested($CA, $UNLISTED, cert => { ca => 1 });
    $r = reg($k6, 'hana');
    check($r->code, 400, 'an attestation certificate with CA:TRUE: 400');
    check(levels('hana'), 'phrh', 'hana still has only the one passkey');
}

my $hugo_hi = authn(aaguid => $LISTED);                     # none, listed
my $hugo_lo = authn(aaguid => $UNLISTED);                   # none, unlisted
check(level_of(reg($hugo_hi, 'hugo', name => 'Listed key')), '200 phrh',
      'a listed AAGUID, device-bound, attestation none: phrh');
sleep 1;    # oldest first in the list
check(level_of(reg($hugo_lo, 'hugo', name => 'Plain key')), '200 phr',
      'an unlisted AAGUID, device-bound, attestation none: phr');

my $hal_sync = authn(aaguid => $LISTED2, be => 1, bs => 1);
my $hal_att_sync = attested($CA, $UNLISTED, authn => { be => 1, bs => 0 });
my $hal_self = authn(aaguid => $UNLISTED, attestation => 'self', alg => 'EdDSA');
check(level_of(reg($hal_sync, 'hal')), '200 phr',
      'a listed AAGUID, synced (BE, BS): phr');
check(level_of(reg($hal_att_sync, 'hal')), '200 phr',
      'attested by the test CA but backup eligible (BE): phr');
check(level_of(reg($hal_self, 'hal')), '200 phr',
      'packed self attestation, device-bound, unlisted: phr');
check(join(' ', levels('hugo'), levels('hal')), 'phrh,phr phr,phr,phr',
      'GET passkeys: hugo phrh and phr, hal three phr');

# ---- passkey/begin and the level asked for ---------------------------------
sub allowed {
    my ($user, %o) = @_;
    my ($r, $opts) = login_begin($H, $user, csrf => csrf($H, $user), %o);
    return join ',', sort map { $_->{id} } @{ ($opts || {})->{allowCredentials} || [] };
}
check(allowed('hugo', acr => 'phrh'), $hugo_hi->credential_id_b64,
      'passkey/begin acr phrh: only the phrh credential');
check(allowed('hugo', acr => 'phr'),
      join(',', sort $hugo_hi->credential_id_b64, $hugo_lo->credential_id_b64),
      'passkey/begin acr phr: both');
check(allowed('hugo'),
      join(',', sort $hugo_hi->credential_id_b64, $hugo_lo->credential_id_b64),
      'passkey/begin without acr: both');
check(allowed('hugo', acr => 'pwd'),
      join(',', sort $hugo_hi->credential_id_b64, $hugo_lo->credential_id_b64),
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
    $r = login($hugo_hi, $H, 'hugo', csrf => csrf($H, 'hugo'), acr => 'phrh');
    check(join(' ', $r->code, acr_of($r)->{acr} || '-', acr_of($r)->{amr} || '-'),
          '200 phrh hwk', 'the listed-model key: token phrh, amr hwk');
    # without asking for phrh the token is still of the credential's level
    $r = login($hugo_hi, $H, 'hugo', csrf => csrf($H, 'hugo'));
    check(acr_of($r)->{acr}, 'phrh',
          'the listed-model key, begin without acr: token phrh all the same');
}

# ---- a phr credential where phrh was asked ---------------------------------
{
    my ($r, $o) = login_begin($H, 'hugo', csrf => csrf($H, 'hugo'), acr => 'phrh');
    $r = login_finish($H, 'hugo', $hugo_lo->assert($o || {}), csrf => csrf($H, 'hugo'));
    check($r->code, 403, 'begin acr phrh, then the phr key: 403');
    check(err_of($r), qr/hardware security key/, '... reason: not a hardware security key');
    check(token_from($r), undef, '... no cookie');
}

# ---- Require stepup acr=phrh with a phr token ------------------------------
my $hugo_phr;
{
    my $r = login($hugo_lo, $H, 'hugo', csrf => csrf($H, 'hugo'));
    check(acr_of($r)->{acr}, 'phr', 'the unlisted key: a phr token');
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

# ---- BE showing up at a later assertion ------------------------------------
{
    $hana_key->set(be => 1, bs => 1);
    my $off = log_offset();
    my $r = login($hana_key, $H, 'hana', csrf => csrf($H, 'hana'));
    my $j = json_of($r) || {};
    check($r->code . ' ' . ($j->{acr} || err_of($r)), '200 phr',
          'the phrh key now reporting BE/BS: 200, acr phr');
    my $t = acr_of($r);
    check(join(' ', $t->{acr} || '-', $t->{amr} || '-'), 'phr swk',
          '... the token is lowered to phr, amr swk');
    my $log = log_since($off);
    my $id = $hana_key->credential_id_b64;
    my $line = "STEPUP0061: user hana: passkey $id now reports backup flags "
             . "(BE=1 BS=1): token lowered to phr";
    check($log, qr/\Q$line\E/,
          '... and the log says so');
    my $lowered = token_from($r);
    my $api = get_as('hana', '/pk/phrh/', $lowered, Accept => 'application/json');
    check(join(' | ', $api->code, $api->header('WWW-Authenticate')),
          qr/^401 \| Bearer .*acr_values="phrh"/, '... which /pk/phrh/ refuses');
    # the stored level follows: the key is no longer offered for phrh
    my ($b, $o) = login_begin($H, 'hana', csrf => csrf($H, 'hana'), acr => 'phrh');
    check($b->code, 409, 'passkey/begin acr phrh no longer offers the key (stored phr now)');
    my ($l) = grep { $_->{id} eq $id } @{ (json_of(get_as('hana', "${H}passkeys", undef,
                                             Accept => 'application/json')) || {})->{passkeys} || [] };
    check(($l || {})->{level} || '-', 'phr', '... and GET passkeys lists it as phr');
    # BE alone (not backed up yet) is enough to lower it
    $hana_key->set(be => 1, bs => 0);
    $r = login($hana_key, $H, 'hana', csrf => csrf($H, 'hana'));
    check(join(' ', $r->code, acr_of($r)->{acr} || '-'), '200 phr',
          'BE without BS: token phr too');
    # the hardware-bound token minted before still works where it did
    check(get_as('hana', '/pk/phrh/', $hana_token)->code, 200,
          'the earlier phrh token is unaffected');
    check(levels('hana'), qr/^phrh?$/, 'hana still has one passkey');
}

# ---- the confirm page for acr=phrh -----------------------------------------
{
    my $pw = qr/<input[^>]*type="password"/;
    my $use = qr/<button[^>]*data-action="confirm"[^>]*>Use passkey</;
    my $p = get_as('hugo', "$H?return_to=%2Fpk%2Fphrh%2F&acr=phrh", undef,
                   Accept => 'text/html');
    check($p->code, 200, 'confirm page ?acr=phrh for hugo: 200');
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
    my @race = PasskeyTest::race(8, sub { get_as('hal', '/pk/once/', $t3) });
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
    my $keys = PasskeyTest::work_file('good.keys',
        "k1 " . SoftAuthn::b64u(SoftAuthn::random_bytes(32)) . "\n");
    my $roots = $CA->{cert};
    my $aaguids = PasskeyTest::work_file('good-aaguids.txt',
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
    my $bad = PasskeyTest::work_file('bad-aaguids.txt',
        "$PasskeyTest::LISTED_AAGUIDS[0]\nnot-a-uuid-at-all\n");
    $refused->('AAGUID file with a line that is no UUID',
               $conf->($bad, $roots), qr/StepupHighAssuranceAAGUIDs.*line 2.*not a UUID/);
    my $short = PasskeyTest::work_file('short-aaguids.txt', "cb69481e-8ff7-4039-93ec\n");
    $refused->('AAGUID file with a short UUID',
               $conf->($short, $roots), qr/StepupHighAssuranceAAGUIDs.*line 1/);
    my $zero = PasskeyTest::work_file('zero-aaguids.txt',
        "00000000-0000-0000-0000-000000000000\n");
    $refused->('AAGUID file with the all-zero AAGUID',
               $conf->($zero, $roots), qr/StepupHighAssuranceAAGUIDs.*zero/);
    my $empty = PasskeyTest::work_file('empty-aaguids.txt', "# nothing\n");
    $refused->('AAGUID file of comments only',
               $conf->($empty, $roots), qr/StepupHighAssuranceAAGUIDs.*no AAGUID/i);
    my $badpem = PasskeyTest::work_file('bad-roots.pem',
        "-----BEGIN CERTIFICATE-----\nMIIBbroken!!notbase64\n-----END CERTIFICATE-----\n");
    $refused->('roots PEM that does not decode',
               $conf->($aaguids, $badpem), qr/StepupAttestationRoots.*malformed/);
    my $nocert = PasskeyTest::work_file('nocert-roots.pem', "just text\n");
    $refused->('roots file without a certificate',
               $conf->($aaguids, $nocert), qr/StepupAttestationRoots.*no PEM certificate/);
    $refused->('roots file missing',
               $conf->($aaguids, "$tmp/nope.pem"), qr/StepupAttestationRoots.*(open|No such)/);
    # one line each: not two for the same mistake
    ($status, @err) = configtest($conf->($bad, $badpem));
    check($status ? 'refused' : 'exit 0', 'refused',
          'both files bad: refused (the first one named)');
}
