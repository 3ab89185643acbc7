# SPDX-License-Identifier: Apache-2.0
# The connection's kept token (src/httpd/verify.c): on one kept-alive connection
# the same token is checked again without a new HMAC, and every answer is
# still the one a fresh verification gives: another token (a changed MAC,
# a changed payload, another user's, another key's) is verified in full,
# and the location's policy (user, level, expiry, max-age, binding,
# max-age=0) applies to
# every request. All requests of a block go over one socket (KeepAlive.pm).
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore plan done_testing need_module);
use Apache::TestRequest ();
use KeepAlive ();
use StepupTest qw(check basic token log_offset log_since);
use PasskeyTest qw(pk_basic site);
use StepupToken ();

plan need_module('stepup', 'headers', 'auth_basic',
                 'authn_file');

sub connect_ka { KeepAlive::connect(Apache::TestRequest::hostport()) }
*ka_get = \&KeepAlive::get;

sub flip_last {  # the token with its last character changed
    my ($t) = @_;
    my $c = substr($t, -1);
    substr($t, -1) = $c eq 'A' ? 'B' : 'A';
    return $t;
}

my $now = time;
my $tok = token(user => 'alice', auth_time => $now - 30);

# ---- the same token again, then other tokens, on one connection ------------
{
    my $s = connect_ka();
    my $off = log_offset();
    my $r = ka_get($s, '/token/', basic('alice'), Cookie => "stepup=$tok");
    check($r->{code}, 200, 'first request with a valid token: 200');
    check(log_since($off) =~ /STEPUP0008/ ? 'kept' : 'verified', 'verified',
          'the first request verifies the MAC');
    $off = log_offset();
    $r = ka_get($s, '/token/', basic('alice'), Cookie => "stepup=$tok");
    check($r->{code}, 200, 'the same token again on the connection: 200');
    check(log_since($off), qr/STEPUP0008: the token kept on this connection \(key k1\): no new MAC/,
          '... taken as kept on the connection (trace2), no new MAC');
    check(join(' ', map { $r->{headers}{"x-stepup-$_"} // '-' }
                    qw(user acr auth-time)),
          "alice pwd " . ($now - 30),
          '... with the token\'s user, level and auth_time');
    check($r->{body}, "ok token\n", '... and the page');

    my $bad = flip_last($tok);
    $off = log_offset();
    $r = ka_get($s, '/token/', basic('alice'), Cookie => "stepup=$bad");
    check($r->{code}, 401, 'the kept token with its MAC changed: 401');
    my $log = log_since($off);
    check($log, qr/step-up token refused for \/token\/: bad MAC/,
          '... refused for its MAC');
    check($log =~ /STEPUP0008/ ? 'kept' : 'verified', 'verified',
          '... after a verification of its own');

    my ($head, $payload, $mac) = $tok =~ /^(v1\.[^.]+)\.([^.]+)\.(.+)$/;
    my $other = token(user => 'alice', auth_time => $now - 31);
    my ($opayload) = $other =~ /^v1\.[^.]+\.([^.]+)\./;
    $off = log_offset();
    $r = ka_get($s, '/token/', basic('alice'),
                Cookie => "stepup=$head.$opayload.$mac");
    check($r->{code}, 401, 'the kept token\'s MAC on another payload: 401');
    check(log_since($off), qr/bad MAC/, '... refused for its MAC');

    $r = ka_get($s, '/token/', basic('alice'), Cookie => "stepup=$tok");
    check($r->{code}, 200, 'the kept token once more: 200');

    $off = log_offset();
    $r = ka_get($s, '/token/', basic('bob'), Cookie => "stepup=$tok");
    check($r->{code}, 401, 'another user signed in with the kept token: 401');
    check(log_since($off), qr/token of another user/,
          '... refused as another user\'s token');

    $r = ka_get($s, '/denial-phr/', basic('alice'), Cookie => "stepup=$tok");
    check($r->{code}, 401, 'the kept pwd token where acr=phr is required: 401');

    my $k2 = token(user => 'alice', kid => 'k2');
    $r = ka_get($s, '/token/', basic('alice'), Cookie => "stepup=$k2");
    check($r->{code}, 200, 'a token of the other key in the key file: 200');
    $r = ka_get($s, '/token/', basic('alice'), Cookie => "stepup=$tok");
    check($r->{code}, 200, 'and the first token after it: 200');
    close $s;
}

# ---- expiry applies to the kept token --------------------------------------
{
    my $s = connect_ka();
    my $exp = time + 2;
    my $short = token(user => 'alice', auth_time => $exp - 60,
                      expires => $exp);
    check(ka_get($s, '/token/', basic('alice'),
                 Cookie => "stepup=$short")->{code}, 200,
          'a token that expires in 2 s: 200');
    sleep 1 while time <= $exp;
    my $off = log_offset();
    my $r = ka_get($s, '/token/', basic('alice'), Cookie => "stepup=$short");
    check($r->{code}, 401, 'the same token on the connection once expired: 401');
    check(log_since($off), qr/token refused for \/token\/: expired/,
          '... refused as expired');
    close $s;
}

# ---- the location's max-age and the binding apply to the kept token --------
{
    my $s = connect_ka();
    my $old = token(user => 'alice', auth_time => time - 90);
    check(ka_get($s, '/token/', basic('alice'),
                 Cookie => "stepup=$old")->{code}, 200,
          'a token confirmed 90 s ago where max-age is 300: 200');
    my $off = log_offset();
    my $r = ka_get($s, '/denial-age60/', basic('alice'),
                   Cookie => "stepup=$old");
    check($r->{code}, 401, 'the same token on the connection where '
          . 'max-age=60: 401');
    check(log_since($off), qr/re-confirmation older than max-age/,
          '... refused as too old');

    my $bound = token(user => 'alice',
                      bind => StepupToken::bind_value('session-one'));
    check(ka_get($s, '/rules-bind/', basic('alice'),
                 Cookie => "sess=session-one; stepup=$bound")->{code}, 200,
          'a bound token with its session cookie: 200');
    $r = ka_get($s, '/rules-bind/', basic('alice'),
                Cookie => "sess=session-two; stepup=$bound");
    check($r->{code}, 401, 'the same token on the connection with another '
          . 'session cookie: 401');
    close $s;
}

# ---- max-age=0: spent once, whatever the connection remembers --------------
{
    my $s = connect_ka();
    my $t = PasskeyTest::password_token(site('/pk/stepup/'), 'kim');
    my @as = (pk_basic('kim'), Cookie => "stepup=$t",
              Accept => 'application/json');
    check(ka_get($s, '/pk/once/', @as)->{code}, 200,
          'max-age=0 with a fresh token: 200');
    check(ka_get($s, '/pk/once/', @as)->{code}, 401,
          'the same token again on the connection: 401 (spent)');
    check(ka_get($s, '/pk/protected/', @as)->{code}, 200,
          'the spent token still opens a normal location');
    close $s;
}

# ---- a new connection has nothing kept -------------------------------------
{
    my $s = connect_ka();
    my $bad = flip_last($tok);
    my $off = log_offset();
    my $r = ka_get($s, '/token/', basic('alice'), Cookie => "stepup=$bad");
    check($r->{code}, 401, 'a forgery as the first request: 401');
    check(log_since($off), qr/bad MAC/, '... refused for its MAC');
    check(ka_get($s, '/token/', basic('alice'),
                 Cookie => "stepup=$tok")->{code}, 200,
          'then the real token: 200');
    check(log_since($off) =~ /STEPUP0008/ ? 'kept' : 'verified', 'verified',
          '... verified: nothing was kept from another connection');
    close $s;
}

done_testing();
