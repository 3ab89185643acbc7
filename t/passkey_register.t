# SPDX-License-Identifier: Apache-2.0
# Passkey registration end to end: passkey/register/ begin and finish at
# /pk/stepup/ (t/conf/passkey.conf.in) with the software authenticator
# t/lib/SoftAuthn.pm: a recent step-up is needed (a token minted in Perl, or
# the password step-up for a first passkey), except for the federated
# bootstrap where it is on (/pk/boot/); ES256, RS256 and EdDSA; attestation
# none, packed self and x5c; a credential id registered to anyone is
# refused; malformed bodies get 400 with a reason and nothing is stored;
# CSRF and Origin. Users: pat, quinn (with passwords), fed (federated: no
# password).
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore plan done_testing need_module);
use Apache::TestRequest qw(GET POST);
use File::Temp qw(tempdir);
use StepupTest qw(check reset_ua);
use StepupToken qw(token_from);
use StepupClient qw(err_of authn json_of csrf status post_json
                    register_begin register_finish register passkeys wipe);
use PasskeyTest qw(pk_basic origin rp_id token_for site);
use SoftAuthn ();

plan need_module('stepup', 'auth_basic', 'authn_file', 'dbd',
                 'socache_shmcb');

reset_ua();

my $B = site('/pk/stepup/');

sub ids {
    my ($list) = @_;
    return join ',', sort map { $_->{id} } @{ $list || [] };
}
sub count {
    my ($user) = @_;
    my $l = passkeys($B, $user);
    return $l ? scalar @$l : 'no list';
}

# a rerun on the same server starts clean
wipe($B, $_) for qw(pat quinn fed);
check(count('pat') . ' ' . count('quinn') . ' ' . count('fed'), '0 0 0',
      'start: pat, quinn and fed have no passkeys');

# ---- a recent step-up is needed (pat has a password) -----------------------
{
    my ($res) = register_begin($B, 'pat', token => undef);
    check($res->code, 401, 'register/begin without a token: 401');
    check(err_of($res), qr/confirm your identity/i,
          'register/begin without a token: the reason says to confirm first');
    ($res) = register_begin($B, 'pat', token => token_for('quinn'));
    check($res->code, 401, "register/begin with another user's token: 401");
    ($res) = register_begin($B, 'pat',
                            token => token_for('pat', auth_time => time - 400));
    check($res->code, 401,
          'register/begin with a token older than StepupMaxAge (300): 401');
}

# ---- the creation options --------------------------------------------------
my ($res, $opts) = register_begin($B, 'pat', name => 'Laptop');
check($res->code, 200, 'register/begin with a valid token: 200');
check($res->header('Content-Type') || '', qr{^application/json},
      'register/begin: JSON');
$opts ||= {};
check($opts->{rp}{id}, rp_id(), 'options: rp.id is the request host');
check($opts->{user}{name}, 'pat', 'options: user.name is the user');
check($opts->{user}{id} || '', qr/^[A-Za-z0-9_-]{16,}$/,
      'options: user.id is an opaque base64url handle');
check(($opts->{user}{id} || '') ne 'pat' && ($opts->{user}{id} || '') !~ /pat/,
      1, 'options: user.id does not spell the user name');
check($opts->{challenge} || '', qr/^[A-Za-z0-9_-]{43}$/,
      'options: challenge is 32 bytes of base64url');
check(join(',', map { "$_->{type}:$_->{alg}" }
           @{ $opts->{pubKeyCredParams} || [] }),
      'public-key:-7,public-key:-8,public-key:-257',
      'options: pubKeyCredParams ES256, EdDSA, RS256');
check($opts->{attestation}, 'none',
      'options: attestation "none" (no StepupAttestationRoots here)');
check($opts->{authenticatorSelection}{userVerification}, 'required',
      'options: userVerification required (the default)');
check(ref $opts->{excludeCredentials} eq 'ARRAY'
      ? scalar @{ $opts->{excludeCredentials} } : 'missing', 0,
      'options: excludeCredentials empty (no passkey yet)');
check($opts->{timeout}, qr/^\d+$/, 'options: a timeout');

# ---- ES256, attestation none, with the minted token ------------------------
my $es = authn($B, alg => 'ES256', be => 0, bs => 0);
my $t0 = time;
$res = register_finish($B, 'pat', $es->register($opts));
my $j = json_of($res) || {};
check($res->code, 200, 'ES256 none: register/finish 200');
check($j->{ok} ? 'true' : 'false', 'true', 'ES256 none: ok true');
check($j->{id}, $es->credential_id_b64, 'ES256 none: the credential id');
check($j->{name}, 'Laptop', 'ES256 none: the name given at begin');
check($j->{level}, 'phr', 'ES256 none: level phr');
check($j->{synced} ? 'true' : 'false', 'false', 'ES256 none: not synced');
check(token_from($res), undef, 'register/finish sets no step-up cookie');
my $list = passkeys($B, 'pat') || [];
check(scalar @$list, 1, 'GET passkeys: one passkey');
my ($p) = @$list;
$p ||= {};
check(join(',', map { exists $p->{$_} ? $_ : "no $_" }
           qw(id name created last_used level synced)),
      'id,name,created,last_used,level,synced',
      'GET passkeys: id, name, created, last_used, level, synced');
check(join(' ', $p->{id} || '', $p->{name} || '', $p->{level} || '',
           $p->{synced} ? 'synced' : 'bound',
           defined $p->{last_used} ? 'used' : 'never'),
      join(' ', $es->credential_id_b64, 'Laptop', 'phr', 'bound', 'never'),
      'GET passkeys: the id, the name, phr, device-bound, never used');
check(defined $p->{created} && $p->{created} >= $t0 - 2
      && $p->{created} <= time + 2 ? 'now' : $p->{created}, 'now',
      'GET passkeys: created is now');

# ---- the password step-up gives the token too ------------------------------
my $pw_token;
{
    my $r = POST("${B}password", pk_basic('pat'), Accept => 'application/json',
                 'Content-Type' => 'application/x-www-form-urlencoded',
                 content => 'password=' . $PasskeyTest::USERS{pat}
                          . '&csrf=' . csrf($B, 'pat')
                          . '&return_to=%2Fpk%2Fprotected%2F');
    check($r->code, 200, 'password step-up as pat: 200');
    $pw_token = token_from($r);
    check(defined $pw_token ? StepupToken::parse($pw_token)->{acr} : 'none',
          'pwd', 'password step-up: a pwd token');
    # pat has a passkey (phr): a password is no longer enough (adding a
    # passkey needs the level of the strongest the user has)
    my ($rp) = register_begin($B, 'pat', token => $pw_token);
    check($rp->code . ' ' . ((json_of($rp) || {})->{acr} || 'no acr'),
          '401 phr', 'a second passkey with the password step-up token: '
          . '401, acr phr needed');
    my $rs = authn($B, alg => 'RS256', attestation => 'self');
    my $f = register($rs, $B, 'pat', token => token_for('pat', acr => 'phr',
                                                          amr => 'hwk'),
                     name => 'RSA key');
    check($f->code . ' ' . ((json_of($f) || {})->{level} || err_of($f)),
          '200 phr', 'RS256 packed self with a phr token: 200 phr');
    my ($r2, $o2) = register_begin($B, 'pat');
    check(join(',', sort map { $_->{id} } @{ ($o2 || {})->{excludeCredentials} || [] }),
          join(',', sort $es->credential_id_b64, $rs->credential_id_b64),
          'register/begin: excludeCredentials lists both passkeys of pat');
}

# ---- EdDSA, synced, x5c without roots --------------------------------------
my $ed = authn($B, alg => 'EdDSA', be => 1, bs => 1, attestation => 'self');
$res = register($ed, $B, 'pat', name => 'Phone');
$j = json_of($res) || {};
check($res->code . ' ' . ($j->{level} || err_of($res)), '200 phr',
      'EdDSA packed self, synced (BE, BS): 200 phr');
check($j->{synced} ? 'true' : 'false', 'true', 'EdDSA synced: synced true');
{
    my $tmp = tempdir('pkreg-XXXXXX', DIR => $FindBin::Bin, CLEANUP => 1);
    my $ca = PasskeyTest::ca();
    my $aaguid = SoftAuthn::aaguid_bytes($PasskeyTest::UNLISTED_AAGUID);
    my $cert = SoftAuthn::make_attestation_cert($tmp, $ca, $aaguid);
    my $x = authn($B, alg => 'ES256', attestation => 'x5c', aaguid => $aaguid,
                  x5c => [ $cert->{der} ], att_key => $cert->{key_pem});
    $res = register($x, $B, 'pat', name => 'Attested');
    check($res->code . ' ' . ((json_of($res) || {})->{level} || err_of($res)),
          '200 phr', 'packed x5c, device-bound, where no roots are '
          . 'configured: 200 and only phr');
    # a chain to a root nobody configured is no reason to refuse here
    my $other = SoftAuthn::make_ca($tmp, 'other');
    my $c2 = SoftAuthn::make_attestation_cert($tmp, $other, $aaguid);
    my $x2 = authn($B, alg => 'ES256', attestation => 'x5c',
                   aaguid => $aaguid, x5c => [ $c2->{der} ],
                   att_key => $c2->{key_pem});
    $res = register($x2, $B, 'pat', name => 'Attested 2');
    check($res->code, 200, 'packed x5c from an unknown CA, no roots '
          . 'configured: 200 (attestation not evaluated)');
    my $l = passkeys($B, 'pat') || [];
    check(scalar @$l, 5, 'pat has 5 passkeys now');
    check(join(',', map { $_->{level} } @$l), 'phr,phr,phr,phr,phr',
          'without roots nor AAGUID list every passkey is phr');
}
my $pat_ids = ids(passkeys($B, 'pat'));

# ---- a credential id already registered, to anyone -------------------------
$res = register($es, $B, 'pat');
check($res->code, 409, 'the same credential again for pat: 409');
check(err_of($res), qr/already registered/, '... reason: already registered');
{
    # another key that claims pat's credential id, for quinn
    my $thief = authn($B, alg => 'ES256', cred_id => $es->credential_id);
    $res = register($thief, $B, 'quinn');
    check($res->code, 409, "quinn registering pat's credential id: 409");
    check(count('quinn'), 0, '... nothing stored for quinn');
    check(ids(passkeys($B, 'pat')), $pat_ids, "... pat's passkeys unchanged");
    my $l = passkeys($B, 'pat') || [];
    my ($mine) = grep { $_->{id} eq $es->credential_id_b64 } @$l;
    check(($mine || {})->{name}, 'Laptop', "... pat's credential keeps its name");
}

# ---- the registration challenge is one-time --------------------------------
{
    my $k = authn($B);
    my ($r, $o) = register_begin($B, 'quinn');
    my $body = $k->register($o);
    my $f1 = register_finish($B, 'quinn', $body);
    check($f1->code, 200, 'quinn: register/finish 200');
    my $f2 = register_finish($B, 'quinn', $body);
    check($f2->code, 400, 'the same register/finish again: 400');
    check(err_of($f2), qr/challenge/i, '... reason names the challenge');
    # a new key answering the old options, without a new begin
    my $k2 = authn($B);
    my $f3 = register_finish($B, 'quinn', $k2->register($o));
    check($f3->code, 400, 'a second finish without a new begin: 400');
    check(count('quinn'), 1, '... quinn still has one passkey');
}

# ---- the token is asked again at finish ------------------------------------
{
    my $k = authn($B);
    my ($r, $o) = register_begin($B, 'quinn');
    my $f = register_finish($B, 'quinn', $k->register($o), token => undef);
    check($f->code, 401, 'register/finish without a token: 401');
    check(err_of($f), qr/confirm your identity/i, '... reason: confirm first');
    check(count('quinn'), 1, '... nothing stored');
}

# ---- what the ceremony checks ----------------------------------------------
for my $case (
    [ 'wrong origin', { origin => 'http://evil.example' }, qr/origin/i ],
    [ 'wrong rpId', { rp_id => 'evil.example' }, qr/rp ?id|rpIdHash/i ],
    [ 'wrong challenge', { challenge => SoftAuthn::b64u('x' x 32) },
      qr/challenge/i ],
    [ 'type webauthn.get', { type => 'webauthn.get' }, qr/type/i ],
    [ 'no UV (required)', { uv => 0 }, qr/verif|UV/i ],
    [ 'no UP', { up => 0 }, qr/presen|UP/i ],
    [ 'crossOrigin true', { cross_origin => 1 }, qr/cross/i ],
    [ 'BS without BE', { be => 0, bs => 1 }, qr/BS|backup/i ],
) {
    my ($name, $over, $re) = @$case;
    my $k = authn($B);
    my $f = register($k, $B, 'quinn', over => $over);
    check($f->code, 400, "registration, $name: 400");
    my $why = err_of($f);
    check($why, $re, "registration, $name: the reason says why ($why)");
}
check(count('quinn'), 1, 'after the refused ceremonies quinn still has one passkey');

# ---- malformed bodies: 400, a reason, nothing stored -----------------------
{
    my @cases;
    my $k = authn($B);
    push @cases, [ 'bad JSON', sub { '{"id": "abc", ' }, undef,
                   qr/JSON/ ];
    push @cases, [ 'JSON array', sub { '[]' }, undef, qr/object/ ];
    push @cases, [ 'wrong content type (text/plain)',
                   sub { SoftAuthn::to_json($k->register($_[0])) },
                   'text/plain', qr{application/json} ];
    push @cases, [ 'bad base64url in clientDataJSON', sub {
        my $r = $k->register($_[0]);
        $r->{response}{clientDataJSON} = '***not base64url***';
        SoftAuthn::to_json($r) }, undef, qr/clientDataJSON|base64/ ];
    push @cases, [ 'id and rawId differ', sub {
        my $r = $k->register($_[0]);
        $r->{rawId} = SoftAuthn::b64u('other-id');
        SoftAuthn::to_json($r) }, undef, qr/rawId|id/ ];
    push @cases, [ 'truncated CBOR attestationObject', sub {
        my $r = $k->register($_[0]);
        my $ao = SoftAuthn::unb64u($r->{response}{attestationObject});
        $r->{response}{attestationObject} =
            SoftAuthn::b64u(substr $ao, 0, length($ao) - 20);
        SoftAuthn::to_json($r) }, undef, qr/truncat|CBOR/i ];
    push @cases, [ 'unknown COSE alg', sub {
        SoftAuthn::to_json($k->register($_[0], cose_alg => -65535)) },
        undef, qr/alg/i ];
    push @cases, [ 'unknown attestation format', sub {
        SoftAuthn::to_json($k->register($_[0], fmt => 'tpm-ish')) },
        undef, qr/format|fmt|tpm-ish/i ];
    for my $c (@cases) {
        my ($name, $make, $type, $re) = @$c;
        my ($r, $o) = register_begin($B, 'quinn');
        my $f = register_finish($B, 'quinn', $make->($o || {}),
                                (defined $type ? (type => $type) : ()));
        check($f->code, 400, "malformed: $name: 400");
        my $why = err_of($f);
        check($why, $re, "malformed: $name: a reason ($why)");
    }
    check(count('quinn'), 1, 'malformed bodies: nothing stored');
}

# ---- CSRF and Origin -------------------------------------------------------
{
    my ($r) = register_begin($B, 'quinn', csrf => undef);
    check($r->code, 403, 'register/begin without X-Stepup-CSRF: 403');
    check(err_of($r), qr/CSRF/, '... reason names CSRF');
    ($r) = register_begin($B, 'quinn', csrf => 'k1.1.AAAA');
    check($r->code, 403, 'register/begin with a forged CSRF token: 403');
    ($r) = register_begin($B, 'quinn', csrf => csrf($B, 'pat'));
    check($r->code, 403, "register/begin with pat's CSRF token as quinn: 403");
    ($r) = register_begin($B, 'quinn',
                          headers => [ Origin => 'http://evil.example' ]);
    check($r->code, 403, 'register/begin with a cross-origin Origin: 403');
    check(err_of($r), qr/origin/i, '... reason names the origin');
    ($r) = register_begin($B, 'quinn',
                          headers => [ 'Sec-Fetch-Site' => 'cross-site' ]);
    check($r->code, 403, 'register/begin with Sec-Fetch-Site cross-site: 403');
    my $o;
    ($r, $o) = register_begin($B, 'quinn', headers => [ Origin => origin() ]);
    check($r->code, 200, 'register/begin with our own Origin: 200');
    my $k = authn($B);
    my $f = register_finish($B, 'quinn', $k->register($o || {}), csrf => undef);
    check($f->code, 403, 'register/finish without X-Stepup-CSRF: 403');
    $f = register_finish($B, 'quinn', $k->register($o || {}),
                         headers => [ Origin => 'https://' . rp_id() ]);
    check($f->code . ' ' . count('quinn'), '403 1',
          'register/finish from another origin (https): 403, nothing stored');
}

# ---- the federated bootstrap: fed has no password --------------------------
# Off by default (/pk/stepup/): a stolen session must not register a key.
# /pk/boot/ says "StepupMethods password passkey bootstrap".
{
    my $st = status($B, 'fed');
    check(join(' ', $st->{has_password} ? 'password' : 'no-password',
               defined $st->{passkeys} ? $st->{passkeys} : 'null'),
          'no-password 0', 'fed: status has_password false, passkeys 0');
    my ($r, $o) = register_begin($B, 'fed', token => undef);
    check($r->code, 403, 'fed (no password, no passkey) may not begin without '
          . 'a token where StepupMethods has no bootstrap: 403');
    check(err_of($r), qr/bootstrap/, '... the reason names the bootstrap');
    my $BOOT = site('/pk/boot/');
    ($r, $o) = register_begin($BOOT, 'fed', token => undef,
                              csrf => csrf($BOOT, 'fed'));
    check($r->code, 200, 'fed may begin without a token where the bootstrap is on');
    my $k = authn($B, alg => 'ES256');
    my $f = register_finish($BOOT, 'fed', $k->register($o || {}),
                            token => undef, csrf => csrf($BOOT, 'fed'));
    check($f->code, 200, 'fed registers the first passkey without a token');
    check(status($B, 'fed')->{passkeys}, 1, 'fed: status passkeys 1');
    ($r) = register_begin($BOOT, 'fed', token => undef,
                          csrf => csrf($BOOT, 'fed'));
    check($r->code, 401, 'fed with a passkey may no longer begin without a token');
    check(err_of($r), qr/confirm your identity/i, '... reason: confirm first');
    # a registration begun with a token cannot be finished without one
    {
        my $k2 = authn($B);
        my ($r1, $o1) = register_begin($B, 'fed');       # with a token
        $f = register_finish($B, 'fed', $k2->register($o1 || {}),
                             token => undef);
        check($f->code, 401, 'fed: finish without a token once a passkey '
              . 'exists: 401');
        check(count('fed'), 1, '... still one passkey');
    }
    # with a token fed may add another
    my $k3 = authn($B, alg => 'EdDSA');
    $f = register($k3, $B, 'fed');
    check($f->code, 200, 'fed with a token adds a second passkey: 200');
    check(count('fed'), 2, 'fed has 2 passkeys');
    # pat has a password: never the bootstrap, even with no passkey
    check(status($B, 'pat')->{has_password} ? 'password' : 'none', 'password',
          'pat has a password (so no bootstrap for pat)');
}

# ---- the user handle; the id of the response -------------------------------
{
    my ($r1, $o1) = register_begin($B, 'quinn');
    my ($r2, $o2) = register_begin($B, 'quinn');
    my ($r3, $o3) = register_begin($B, 'pat');
    check(($o1 || {})->{user}{id}, ($o2 || {})->{user}{id},
          'user.id is stable for quinn');
    check(($o1 || {})->{user}{id} ne ($o3 || {})->{user}{id} ? 'differ' : 'same',
          'differ', 'user.id differs between quinn and pat');
    # id and rawId agree, but are not the credential id of authenticatorData
    my $k = authn($B);
    my $f = register_finish($B, 'quinn', $k->register($o2 || {},
                            cred_id => SoftAuthn::random_bytes(32)));
    check($f->code . ' ' . count('quinn'), '400 1',
          'a response id that is not authenticatorData\'s credentialId: 400, nothing stored');
}

# ---- the name asked at begin is cleaned ------------------------------------
{
    my $k = authn($B);
    my $long = "Tab\there" . ('x' x 80);
    my $r = register($k, $B, 'quinn', name => $long);
    my $name = (json_of($r) || {})->{name};
    check(defined $name ? length($name) : 'none', 64,
          'a name of ' . length($long) . ' bytes is cut to 64');
    check($name, qr/^Tab herex+$/, 'a control character in the name becomes a space');
}

# ---- the registration and assertion challenges are apart -------------------
{
    my $k = authn($B);
    my ($r, $o) = register_begin($B, 'quinn');
    # an assertion by quinn's passkey over the registration challenge
    my $q = (passkeys($B, 'quinn') || [])->[0] || {};
    my $f = post_json($B, 'passkey/finish', 'quinn',
                      $k->assert($o || {}, cred_id => SoftAuthn::unb64u($q->{id} || 'AA')));
    check($f->code, 400, 'passkey/finish over a registration challenge: 400');
    check(err_of($f), qr/challenge/i, '... no pending (assertion) challenge');
    $f = register_finish($B, 'quinn', $k->register($o || {}));
    check($f->code, 200, 'the registration challenge is still pending: 200');
}

# ---- StepupMethods password: no passkey endpoints --------------------------
{
    my $pwonly = site('/pk/pwonly/');
    my $r = post_json($pwonly, 'passkey/register/begin', 'pat', {},
                      csrf => csrf($pwonly, 'pat'),
                      token => token_for('pat'));
    check($r->code, 403, 'StepupMethods password: register/begin 403');
    check(err_of($r), qr/StepupMethods|not enabled/,
          '... reason: passkeys are not enabled here');
}

# The SQLite store writes ahead (journal mode WAL: one fsync per change):
# its log sits beside the database once something was written.
check(-e PasskeyTest::pk_dir() . '/passkeys.sqlite-wal' ? 'wal' : 'no log',
      'wal', 'the SQLite store is in WAL mode (passkeys.sqlite-wal)');

done_testing();
