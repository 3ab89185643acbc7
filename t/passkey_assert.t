# SPDX-License-Identifier: Apache-2.0
# Passkey step-up end to end: passkey/begin and passkey/finish at
# /pk/stepup/ (t/conf/passkey.conf.in) with the software authenticator
# t/lib/SoftAuthn.pm. The assertion gives the cookie with acr phr and amr
# hwk (device-bound) or swk (synced); the token decodes to the right fields
# and opens the protected pages. The challenge is one-time; counter
# regression, wrong origin / rpId, another user's credential or userHandle,
# bad signatures and malformed bodies are refused without a cookie. /pk/rp/
# has StepupRPID and StepupOrigin of its own. Users: ada, ben.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore plan done_testing need_module);
use Apache::TestRequest qw(GET POST);
use StepupTest qw(check reset_ua secret log_offset log_since);
use StepupToken qw(token_from);
use StepupClient qw(err_of authn json_of csrf status post_json register
                    login_begin login_finish login passkeys wipe
                    race);
use PasskeyTest qw(pk_basic origin rp_id token_for site);
use SoftAuthn ();

plan need_module('stepup', 'auth_basic', 'authn_file', 'dbd',
                 'socache_shmcb');

reset_ua();

my $B = site('/pk/stepup/');

sub by_id {
    my ($user, $id, $base) = @_;
    my ($p) = grep { $_->{id} eq $id } @{ passkeys($base || $B, $user) || [] };
    return $p || {};
}
sub page {
    my ($path, $token, @h) = @_;
    return GET($path, pk_basic('ada'), Accept => 'application/json',
               (defined $token ? (Cookie => "stepup=$token") : ()), @h);
}

wipe($B, $_) for qw(ada ben);

# ada: a device-bound key and a synced one; ben: one key
my $bound = authn($B, alg => 'ES256', be => 0, bs => 0);
my $synced = authn($B, alg => 'EdDSA', be => 1, bs => 1,
                   attestation => 'self');
my $bens = authn($B, alg => 'ES256');
check(join(' ', register($bound, $B, 'ada', name => 'Key')->code,
           register($synced, $B, 'ada', name => 'Phone')->code,
           register($bens, $B, 'ben', name => 'Ben key')->code),
      '200 200 200', 'setup: ada registers two passkeys, ben one');

# ---- the request options ---------------------------------------------------
my ($res, $opts) = login_begin($B, 'ada', return_to => '/pk/protected/?x=1');
check($res->code, 200, 'passkey/begin: 200');
check($res->header('Content-Type') || '', qr{^application/json},
      'passkey/begin: JSON');
$opts ||= {};
check($opts->{challenge} || '', qr/^[A-Za-z0-9_-]{43}$/,
      'options: challenge, 32 bytes of base64url');
check($opts->{rpId}, rp_id(), 'options: rpId is the request host');
check(join(',', sort map { $_->{id} } @{ $opts->{allowCredentials} || [] }),
      join(',', sort $bound->credential_id_b64, $synced->credential_id_b64),
      "options: allowCredentials lists ada's two passkeys (not ben's)");
check(join(',', map { $_->{type} } @{ $opts->{allowCredentials} || [] }),
      'public-key,public-key', 'options: allowCredentials of type public-key');
check($opts->{userVerification}, 'required', 'options: userVerification required');
check($opts->{timeout}, qr/^\d+$/, 'options: a timeout');

# ---- a device-bound assertion: the cookie and the token --------------------
my $t0 = time;
my $off = log_offset();
my $finish_body = $bound->assert($opts);
$res = login_finish($B, 'ada', $finish_body);
my $j = json_of($res) || {};
check($res->code, 200, 'device-bound assertion: 200');
check(join(' ', $j->{ok} ? 'ok' : 'not-ok', $j->{acr} || '-',
           $j->{return_to} || '-'),
      'ok phr /pk/protected/?x=1',
      'finish: ok, acr phr, the return_to given at begin');
my @cookies = grep { /^stepup=/ } $res->header('Set-Cookie');
check(scalar @cookies, 1, 'finish: one stepup cookie');
my $line = $cookies[0] || '';
check($line, qr/;\s*HttpOnly\b/i, 'cookie: HttpOnly');
check($line, qr/;\s*SameSite=Strict\b/i, 'cookie: SameSite=Strict');
check($line, qr/;\s*Path=\/(;|$)/, 'cookie: Path=/');
check($line, qr/;\s*Max-Age=600\b/, 'cookie: Max-Age = StepupLifetime (600)');
check($line =~ /;\s*Secure\b/i ? 'Secure' : 'no Secure', 'no Secure',
      'cookie: no Secure over http (Auto)');
my $token = token_from($res) || '';
my $tk = StepupToken::parse($token);
check(join(' ', map { defined $_ ? $_ : 'undef' }
           @$tk{qw(version kid user acr amr bind)}),
      'v1 k1 ada phr hwk -',
      'token: v1, key k1, user ada, acr phr, amr hwk (device-bound), unbound');
check(($tk->{auth_time} || 0) >= $t0 - 1 && ($tk->{auth_time} || 0) <= time + 1
      ? 'now' : $tk->{auth_time}, 'now', 'token: auth_time is now');
check(($tk->{expires} || 0) - ($tk->{auth_time} || 0), 600,
      'token: expires = auth_time + StepupLifetime');
check($j->{expires_at}, $tk->{expires}, 'finish: expires_at is the token\'s');
check($tk->{mac}, StepupToken::sign("v1.k1.$tk->{payload}", secret('k1')),
      'token: the MAC verifies with key k1');
check(log_since($off), qr/STEPUP0100: user ada from \S+: step-up by passkey \(acr phr\): ok/,
      'the success is logged on one line');
my $log = log_since($off);
check(index($log, $token) < 0 && index($log, $finish_body->{response}{signature}) < 0
      ? 'clean' : 'leaked', 'clean', 'the log holds neither the token nor the assertion');
{
    my $p = by_id('ada', $bound->credential_id_b64);
    check(defined $p->{last_used} && $p->{last_used} >= $t0 - 1 ? 'used' : 'never',
          'used', 'GET passkeys: last_used set for the key used');
    my $q = by_id('ada', $synced->credential_id_b64);
    check(defined $q->{last_used} ? 'used' : 'never', 'never',
          'GET passkeys: the other key still never used');
}

# ---- the token opens the pages ---------------------------------------------
{
    my $r = page('/pk/protected/', $token);
    check($r->code, 200, 'the passkey token opens /pk/protected/ (acr pwd)');
    check($r->header('X-Stepup-Acr'), 'phr', '... with STEPUP_ACR phr');
    check(page('/pk/phr/', $token)->code, 200,
          'the passkey token opens /pk/phr/ (acr phr)');
    my $pw = token_for('ada');
    check(page('/pk/phr/', $pw)->code, 401, 'a pwd token does not open /pk/phr/');
    check(status($B, 'ada', token => $token)->{acr}, 'phr',
          'status: acr phr with the passkey token');
}

# ---- a synced passkey: amr swk ---------------------------------------------
{
    my $r = login($synced, $B, 'ada');
    check($r->code, 200, 'synced assertion: 200');
    my $t = StepupToken::parse(token_from($r) || 'x.x.x.x');
    check(join(' ', $t->{acr} || '-', $t->{amr} || '-'), 'phr swk',
          'synced: token acr phr, amr swk');
    check((json_of($r) || {})->{return_to}, '/',
          'no return_to at begin: return_to "/"');
}

# ---- a counter that stays 0 (synced passkeys do that) ----------------------
{
    my $zero = authn($B, alg => 'ES256', be => 1, bs => 1, counter_step => 0);
    my $r = register($zero, $B, 'ada', name => 'Zero');
    my @codes = map { login($zero, $B, 'ada')->code } 1 .. 2;
    check("@codes", '200 200', 'a passkey whose counter stays 0: two step-ups, 200 200');
    # the counter cannot stop a replay of it: the challenge alone does, also
    # against 8 copies of one finish sent at once
    my ($r0, $o) = login_begin($B, 'ada');
    my $body = $zero->assert($o || {});
    my $send = sub { login_finish($B, 'ada', $body) };
    my @race = sort { $a cmp $b } race(($send) x 8);
    check("@race", '200 400 400 400 400 400 400 400',
          '8 copies of one finish at once: one 200, seven 400');
    check(post_json($B, 'passkeys/delete', 'ada',
                    { id => $zero->credential_id_b64 },
                    token => PasskeyTest::strong_token('ada'))->code,
          200, '(that passkey removed again)');
}

# ---- return_to and the Content-Type ----------------------------------------
{
    for my $case ([ '//evil.example/x', 'a scheme-relative return_to' ],
                  [ 'https://evil.example/', 'an absolute return_to' ]) {
        my ($rt, $name) = @$case;
        my $r = login($bound, $B, 'ada', return_to => $rt);
        check((json_of($r) || {})->{return_to}, '/', "$name becomes \"/\"");
    }
    my ($r0, $o) = login_begin($B, 'ada');
    my $r = login_finish($B, 'ada', $bound->assert($o || {}),
                         type => 'application/json; charset=UTF-8');
    check($r->code, 200, 'finish with Content-Type application/json; charset=UTF-8: 200');
}

# ---- the challenge is one-time ---------------------------------------------
{
    my $r = login_finish($B, 'ada', $finish_body);
    check($r->code, 400, 'replay of the same finish: 400');
    check(err_of($r), qr/challenge/i, '... reason names the challenge');
    check(token_from($r), undef, '... no cookie');
    # a new assertion for the old options, no new begin
    my $again = $bound->assert($opts);
    $r = login_finish($B, 'ada', $again);
    check($r->code, 400, 'a second finish without a new begin: 400');
    check(token_from($r), undef, '... no cookie');
    # an assertion of the old challenge after a new begin
    my ($r2, $o2) = login_begin($B, 'ada');
    $r = login_finish($B, 'ada', $bound->assert($opts));
    check($r->code, 401, 'the old challenge after a new begin: 401');
    check(err_of($r), qr/challenge/i, '... reason names the challenge');
    # the failed finish spent the new challenge too
    $r = login_finish($B, 'ada', $bound->assert($o2 || {}));
    check($r->code, 400, 'the new challenge was spent by the failed finish: 400');
}

# ---- the signature counter -------------------------------------------------
{
    my $before = $bound->counter;
    my $r = login($bound, $B, 'ada');
    check($r->code, 200, "counter $before -> " . $bound->counter . ': 200');
    my $stored = $bound->counter;
    $r = login($bound, $B, 'ada', over => { counter => $stored - 1 });
    check($r->code, 401, 'counter regression (' . ($stored - 1)
          . " after $stored): 401");
    check(err_of($r), qr/counter/i, '... reason names the counter');
    check(token_from($r), undef, '... no cookie');
    $r = login($bound, $B, 'ada', over => { counter => $stored });
    check($r->code, 401, "the same counter again ($stored): 401");
    $r = login($bound, $B, 'ada', over => { counter => $stored + 5 });
    check($r->code, 200, 'a greater counter: 200');
    # a counter of 0 once counting started is a clone
    $r = login($bound, $B, 'ada', over => { counter => 0 });
    check($r->code, 401, 'counter 0 after counting started: 401');
    $bound->set(counter => $stored + 5);
}

# ---- what the ceremony checks: 401, a reason, no cookie --------------------
for my $case (
    [ 'wrong origin', { origin => 'http://evil.example' }, qr/origin/i ],
    [ 'origin https instead of http',
      { origin => 'https://' . Apache::TestRequest::hostport() }, qr/origin/i ],
    [ 'wrong rpId', { rp_id => 'evil.example' }, qr/rpIdHash|RP ID/i ],
    [ 'type webauthn.create', { type => 'webauthn.create' }, qr/type/i ],
    [ 'no UV (required)', { uv => 0 }, qr/verif|UV/i ],
    [ 'no UP', { up => 0 }, qr/presen|UP/i ],
    [ 'crossOrigin true', { cross_origin => 1 }, qr/cross/i ],
    [ 'a signature over other data',
      { signature => Crypt::PK::ECC->new->generate_key('secp256r1')
                        ->sign_message('other', 'SHA256') }, qr/signature/i ],
    [ 'a challenge of its own', { challenge => SoftAuthn::b64u('y' x 32) },
      qr/challenge/i ],
    # no real authenticator sends it; the module counts it as a failed
    # assertion (401), like a bad signature
    [ 'authenticatorData of 30 bytes',
      { authenticator_data => sub { substr $_[0], 0, 30 } },
      qr/authenticatorData/i ],
) {
    my ($name, $over, $re) = @$case;
    my $keep = $bound->counter;
    my $r = login($bound, $B, 'ada', over => $over);
    check($r->code, 401, "assertion, $name: 401");
    my $why = err_of($r);
    check($why, $re, "assertion, $name: the reason ($why)");
    check(token_from($r), undef, "assertion, $name: no cookie");
    $bound->set(counter => $keep);
}

# ---- ownership: another user's credential ----------------------------------
{
    my $r = login($bens, $B, 'ada');
    check($r->code, 400, "ada asserting with ben's passkey: 400");
    check(err_of($r), qr/unknown passkey/, '... reason: unknown passkey');
    check(token_from($r), undef, '... no cookie');
    $r = login($bound, $B, 'ben');
    check($r->code, 400, "ben asserting with ada's passkey: 400");
    check(token_from($r), undef, '... no cookie');
    my $stranger = authn($B);
    $r = login($stranger, $B, 'ada');
    check($r->code . ' ' . err_of($r), qr/^400 .*unknown passkey/,
          'a credential nobody registered: 400 unknown passkey');
}

# ---- the userHandle (WebAuthn L3 7.2 step 6) --------------------------------
{
    my $adas = $bound->{user_handle};
    my $bens_handle = $bens->{user_handle};
    check(defined $adas && defined $bens_handle && $adas ne $bens_handle ? 'two' : 'not',
          'two', 'ada and ben were given user handles of their own at registration');
    my $r = login($bound, $B, 'ada', over => { user_handle => $bens_handle });
    check($r->code . ' ' . err_of($r), qr/^400 .*userHandle/,
          "ada's passkey with ben's userHandle: 400, the reason");
    check(token_from($r), undef, '... no cookie');
    $r = login($bound, $B, 'ada',
               over => { user_handle => SoftAuthn::b64u(SoftAuthn::random_bytes(16)) });
    check($r->code, 400, 'a userHandle nobody was given: 400');
    $r = login($bound, $B, 'ada', over => { user_handle => $adas });
    check($r->code, 200, "ada's own userHandle: 200");
    $r = login($bound, $B, 'ada', over => { user_handle => undef });
    check($r->code, 200, 'no userHandle (a non-discoverable credential): 200');
}

# ---- malformed bodies: 400, a reason, nothing changes ----------------------
{
    my $before = by_id('ada', $bound->credential_id_b64);
    my @cases = (
        [ 'bad JSON', sub { '{"id":' }, undef, qr/JSON/ ],
        [ 'wrong content type (form)',
          sub { SoftAuthn::to_json($bound->assert($_[0])) },
          'application/x-www-form-urlencoded', qr{application/json} ],
        [ 'bad base64url signature', sub {
            my $a = $bound->assert($_[0]);
            $a->{response}{signature} = 'not base64url!';
            SoftAuthn::to_json($a) }, undef, qr/signature|base64/ ],
        [ 'no authenticatorData', sub {
            my $a = $bound->assert($_[0]);
            delete $a->{response}{authenticatorData};
            SoftAuthn::to_json($a) }, undef, qr/authenticatorData/ ],
        [ 'type not public-key', sub {
            my $a = $bound->assert($_[0]);
            $a->{type} = 'password';
            SoftAuthn::to_json($a) }, undef, qr/type/ ],
    );
    for my $c (@cases) {
        my ($name, $make, $type, $re) = @$c;
        my $keep = $bound->counter;
        my ($r0, $o) = login_begin($B, 'ada');
        my $r = login_finish($B, 'ada', $make->($o || {}),
                             (defined $type ? (type => $type) : ()));
        my $why = err_of($r);
        check($r->code . ' ' . (token_from($r) ? 'cookie' : 'no cookie'),
              '400 no cookie', "malformed finish, $name: 400, no cookie");
        check($why, $re, "malformed finish, $name: a reason ($why)");
        $bound->set(counter => $keep);
    }
    my $after = by_id('ada', $bound->credential_id_b64);
    check(join(' ', map { defined $_ ? $_ : 'null' } @$after{qw(last_used name level)}),
          join(' ', map { defined $_ ? $_ : 'null' } @$before{qw(last_used name level)}),
          'malformed finishes: the stored passkey is unchanged');
    check(login($bound, $B, 'ada')->code, 200,
          'after them the counter was not moved: the next assertion works');
}

# ---- CSRF and Origin -------------------------------------------------------
{
    my ($r) = login_begin($B, 'ada', csrf => undef);
    check($r->code, 403, 'passkey/begin without X-Stepup-CSRF: 403');
    check(err_of($r), qr/CSRF/, '... reason names CSRF');
    ($r) = login_begin($B, 'ada', headers => [ Origin => 'http://evil.example' ]);
    check($r->code, 403, 'passkey/begin with a cross-origin Origin: 403');
    my $o;
    ($r, $o) = login_begin($B, 'ada', headers => [ Origin => origin() ]);
    check($r->code, 200, 'passkey/begin with our own Origin: 200');
    my $keep = $bound->counter;
    $r = login_finish($B, 'ada', $bound->assert($o || {}), csrf => undef);
    check($r->code . ' ' . (token_from($r) ? 'cookie' : 'no cookie'),
          '403 no cookie', 'passkey/finish without X-Stepup-CSRF: 403, no cookie');
    $bound->set(counter => $keep);
    ($r, $o) = login_begin($B, 'ada');
    $r = login_finish($B, 'ada', $bound->assert($o || {}),
                      headers => [ Origin => 'http://evil.example' ]);
    check($r->code . ' ' . (token_from($r) ? 'cookie' : 'no cookie'),
          '403 no cookie', 'passkey/finish with a cross-origin Origin: 403, no cookie');
    $bound->set(counter => $keep);
    # the challenge of that begin is still there: the refusal came first
    $r = login_finish($B, 'ada', $bound->assert($o || {}));
    check($r->code, 200, 'a refused (403) finish does not spend the challenge');
    ($r) = login_begin($B, 'ada', headers => [ 'Sec-Fetch-Site' => 'cross-site' ]);
    check($r->code, 403, 'passkey/begin with Sec-Fetch-Site cross-site: 403');
}

# ---- StepupRPID example.test, StepupOrigin (2 origins) at /pk/rp/ ----------
{
    my $RP = site('/pk/rp/');
    my $k = SoftAuthn->new(origin => 'https://login.example.test',
                           rp_id => 'example.test');
    wipe($RP, 'ben');
    my ($r, $o) = StepupClient::register_begin($RP, 'ben',
                                               csrf => csrf($RP, 'ben'));
    check(($o || {})->{rp}{id}, 'example.test',
          'StepupRPID: register/begin rp.id example.test');
    $r = StepupClient::register_finish($RP, 'ben', $k->register($o || {}),
                                      csrf => csrf($RP, 'ben'));
    check($r->code, 200, 'StepupRPID: registration from https://login.example.test: 200');
    ($r, $o) = login_begin($RP, 'ben', csrf => csrf($RP, 'ben'));
    check(($o || {})->{rpId}, 'example.test', 'StepupRPID: passkey/begin rpId');
    $r = login_finish($RP, 'ben', $k->assert($o || {}), csrf => csrf($RP, 'ben'));
    check($r->code, 200, 'StepupRPID: assertion from the first origin: 200');
    $r = login($k, $RP, 'ben', csrf => csrf($RP, 'ben'),
               over => { origin => 'https://example.test:8443' });
    check($r->code, 200, 'StepupOrigin: assertion from the second origin: 200');
    my $keep = $k->counter;
    $r = login($k, $RP, 'ben', csrf => csrf($RP, 'ben'),
               over => { origin => origin() });
    check($r->code, 401, "StepupOrigin: the request's own origin is not listed: 401");
    $k->set(counter => $keep);
    $r = login($k, $RP, 'ben', csrf => csrf($RP, 'ben'),
               over => { origin => 'https://example.test' });
    check($r->code, 401, 'StepupOrigin: the origin without its port: 401');
    $k->set(counter => $keep);
    $r = login($k, $RP, 'ben', csrf => csrf($RP, 'ben'),
               over => { rp_id => rp_id() });
    check($r->code, 401, 'StepupRPID: an assertion for the host name: 401');
    $k->set(counter => $keep);
    $r = login($k, $RP, 'ben', csrf => csrf($RP, 'ben'),
               over => { rp_id => 'login.example.test' });
    check($r->code, 401, 'StepupRPID: an assertion for a subdomain RP ID: 401');
    $k->set(counter => $keep);
    # the authenticator answers for example.test, where /pk/stepup/ is
    # the RP ID of the request's host
    $r = login($k, $B, 'ben');
    check($r->code, 401, 'the example.test passkey at /pk/stepup/ (RP ID '
          . rp_id() . '): 401');
}

# ---- no passkey at all: 409 ------------------------------------------------
{
    wipe($B, 'ben');
    my ($r) = login_begin($B, 'ben');
    check($r->code, 409, 'passkey/begin for a user with no passkey: 409');
    check(err_of($r), qr/no passkey/, '... reason: no passkey registered');
}

done_testing();
