# SPDX-License-Identifier: Apache-2.0
# Two servers behind one public origin (a load balancer or TLS terminator in
# front of them, StepupOrigin set), sharing Redis and PostgreSQL: every
# request arrives as a load balancer at http://localhost forwards it, "Host:
# localhost" (no port) and "Origin: http://localhost", while each httpd
# listens on 127.0.0.1:PORT; StepupOrigin http://localhost. The password, a
# passkey registered on one server and finished on the other, a passkey
# step-up across both: all accepted; a foreign Origin is 403 everywhere; a
# clientDataJSON.origin other than the public one is refused. Then, on
# PostgreSQL, the largest passkey the module accepts is stored: an RSA-4096
# key (signing afterwards), 16 transports of 32 characters, a credential ID
# of 1023 bytes, and an RSA key of 16384 bits. Run by scripts/farm-test.sh.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib", "$FindBin::Bin/../lib";
use Test::More;
use CBOR::XS ();
use Farm ();
use StepupClient qw(authn csrf json_of login_begin login_finish passkeys
                    password register_begin register_finish request);
use StepupToken qw(token_from);
use SoftAuthn ();

my $PUBLIC = 'http://localhost';
my $FOREIGN = 'http://evil.example';
my ($u, $v) = ('po', 'pg');
my $farm = Farm::new_farm(cache => Farm::redis_spec(),
                          users => { $u => 'po-pw-41', $v => 'pg-pw-93' },
                          conf => <<EOC);
<Location />
    StepupOrigin $PUBLIC
</Location>
EOC
my ($a, $b) = ($farm->a, $farm->b);
psql_clean($_) for $u, $v;

sub psql_clean {
    my ($user) = @_;
    Farm::psql("DELETE FROM stepup_credentials WHERE user_name = '$user'");
}

local @StepupClient::HEADERS = (Host => 'localhost', Origin => $PUBLIC);

sub outcome {
    my ($res) = @_;
    my $j = json_of($res);
    my $err = ref $j eq 'HASH' ? $j->{error} : undef;
    return $res->code . (defined $err ? " $err" : '');
}

# ---- behind the public origin ----------------------------------------------
my $res = password($a, $u);
is($res->code, 200, 'password on A from http://localhost (Host without '
   . 'port): 200');
my $token = token_from($res);
ok(defined $token, '... a token');
is(Farm::protected($b, $u, $token)->code, 200, '... which opens B');

my ($rb, $opts) = register_begin($a, $u, token => $token,
                                 name => 'public');
is($rb->code, 200, 'register/begin on A: 200');
is(ref $opts eq 'HASH' && ref $opts->{rp} eq 'HASH' ? $opts->{rp}{id} : '',
   'localhost', '... options for RP ID localhost');
my $key = authn($Farm::SITE, origin => $PUBLIC);
$res = register_finish($b, $u, $key->register($opts), token => $token);
is(outcome($res), 200, 'register/finish on B, clientDataJSON.origin '
   . 'http://localhost: 200');
is(Farm::db_rows($u), 1, '... one passkey in PostgreSQL');

my ($lb, $lo) = login_begin($b, $u);
is($lb->code, 200, 'passkey/begin on B: 200');
$res = login_finish($a, $u, $key->assert($lo));
is($res->code, 200, 'passkey/finish on A (WebAuthn origin http://localhost): '
   . '200');
my $pk_token = token_from($res);
is(Farm::protected($b, $u, $pk_token)->code, 200, '... its token opens B');

# the WebAuthn origin is the public one, not httpd's nor the old one
($lb, $lo) = login_begin($a, $u);
$res = login_finish($b, $u, $key->assert($lo,
                    origin => "http://localhost:$b->{port}"));
like(outcome($res), qr/^4\d\d clientDataJSON\.origin "http:\/\/localhost:$b->{port}" is not an accepted origin$/, 'clientDataJSON.origin of httpd\'s own idea '
   . '(with the port): refused');

{
    local @StepupClient::HEADERS = (Host => 'localhost', Origin => $FOREIGN);
    is(outcome(password($b, $u)), '403 cross-origin request refused',
       'a foreign Origin: password 403');
    is(outcome((login_begin($a, $u))[0]),
       '403 cross-origin request refused', 'a foreign Origin: passkey/begin '
       . '403');
    is(outcome((register_begin($b, $u, token => $token))[0]),
       '403 cross-origin request refused', 'a foreign Origin: register/begin '
       . '403');
}
# a browser's form: the 303 goes to the public origin, not to B's port
$res = request($b, 'POST', '/stepup/password', $u,
    headers => ['Content-Type' => 'application/x-www-form-urlencoded'],
    content => 'csrf=' . csrf($b, $u) . '&password=po-pw-41'
         . '&return_to=%2Faccount%2F');
is($res->code . ' ' . ($res->header('Location') || ''),
   '303 http://localhost/account/', 'the password form on B: 303 to '
   . 'http://localhost/account/');
my $err = Farm::error_log($a) . Farm::error_log($b);
is(scalar(() = $err =~ /STEPUP0101: POST \/stepup\/\S+: 403 cross-origin request refused/g),
   3, 'the three refusals logged');

# ---- the largest passkey the module accepts, on PostgreSQL -----------------
# 16 transports (STEPUP_WEBAUTHN_TRANSPORTS_MAX) of 32 characters each
my @transports = (qw(usb nfc ble smart-card hybrid internal),
                  map { sprintf 'x-transport-%020d', $_ } 1 .. 10);
$_ .= '_' x (32 - length) for @transports;
$res = password($b, $v);
my $vt = token_from($res);
my ($rv, $vo) = register_begin($a, $v, token => $vt, name => 'rsa4096');
my $big = authn($Farm::SITE, origin => $PUBLIC, alg => 'RS256',
                rsa_bytes => 512, transports => \@transports,
                cred_id => SoftAuthn::random_bytes(1023));
$res = register_finish($b, $v, $big->register($vo), token => $vt);
is(outcome($res), 200, 'RSA-4096, a credential ID of 1023 bytes and 16 '
   . 'transports of 32 characters: registered (200)');
my ($rc, $row) = Farm::psql("SELECT length(credential_id), length(transports)"
                            . " FROM stepup_credentials WHERE user_name = '$v'");
chomp $row;
is($row, '1364|527', '... stored whole: the ID (1364 characters) and the '
   . 'transports (527)');
($lb, $lo) = login_begin($a, $v);
$res = login_finish($b, $v, $big->assert($lo));
is($res->code, 200, '... and the key read back from PostgreSQL verifies an '
   . 'assertion');
my $pks = passkeys($a, $v) || [];
is(scalar(@$pks), 1, '... listed');
is(ref $pks->[0] eq 'HASH' ? $pks->[0]{transports} : '',
   join(',', @transports), '... with its 16 transports');

# an RSA key of 16384 bits (STEPUP_WEBAUTHN_RSA_MAX_BITS): the largest
# COSE_Key the module accepts. Not a real key pair (made in seconds; a real
# one takes minutes): registration with "none" attestation does not sign
# with it, and the test signs nothing with it.
my $n = "\xC5" . join('', map { chr int rand 256 } 1 .. 2046) . "\x01";
my $cose = SoftAuthn::cbor(CBOR::XS::as_map([
    SoftAuthn::_i(1) => SoftAuthn::_i(3), SoftAuthn::_i(3) => SoftAuthn::_i(-257),
    SoftAuthn::_i(-1) => SoftAuthn::_b($n),
    SoftAuthn::_i(-2) => SoftAuthn::_b("\x01\x00\x01") ]));
# a second passkey needs the level of the first (phr): a token of it
$vt = Farm::token_for($farm, $v, acr => 'phr', amr => 'swk');
($rv, $vo) = register_begin($b, $v, token => $vt, name => 'rsa16384');
is($rv->code, 200, 'register/begin for a second passkey with a phr token');
my $huge = authn($Farm::SITE, origin => $PUBLIC, alg => 'RS256',
                 cose => $cose);
$res = register_finish($a, $v, $huge->register($vo), token => $vt);
is(outcome($res), 200, 'an RSA key of 16384 bits: registered (200)');
($rc, $row) = Farm::psql("SELECT length(public_key) FROM stepup_credentials "
                         . "WHERE user_name = '$v' AND name = 'rsa16384'");
chomp $row;
is($row, length(SoftAuthn::b64u($cose)), '... its COSE_Key stored whole ('
   . length(SoftAuthn::b64u($cose)) . ' characters)');
cmp_ok($row, '>', 2048, '... longer than the old VARCHAR(2048)');
is(Farm::db_rows($v), 2, 'two passkeys for the user in PostgreSQL');

psql_clean($_) for $u, $v;
done_testing();
