# SPDX-License-Identifier: Apache-2.0
# A valid token opens the location and its fields reach the request as
# STEPUP_USER, STEPUP_ACR and STEPUP_AUTH_TIME (shown by mod_headers);
# StepupCookieName and StepupTokenHeader; a token is good only for its user.
# The transaction-bound v2 token: stepupctl and the independent Perl
# implementation (t/lib/StepupToken.pm) read each other's, and Require
# stepup, which checks no transaction yet, refuses it.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore plan done_testing need_module);
use Apache::TestRequest qw(GET HEAD);
use StepupTest qw(check basic reset_ua token secret);
use StepupToken qw(b64url txn_value mint_v2 parse_v2);
use File::Temp qw(tempdir);

plan need_module('stepup', 'headers', 'auth_basic',
                 'authn_file');

reset_ua();
my $now = time;

# ---- the default cookie "stepup" -------------------------------------------
{
    my $auth_time = $now - 42;
    my $tok = token(user => 'alice', auth_time => $auth_time);
    my $res = GET '/token/', basic('alice'), Cookie => "stepup=$tok";
    check($res->code, 200, 'valid token in the stepup cookie: 200');
    check($res->content, "ok token\n", 'the protected page is served');
    check(scalar $res->header('X-Stepup-User'), 'alice',
          'STEPUP_USER is the token\'s user');
    check(scalar $res->header('X-Stepup-Acr'), 'pwd', 'STEPUP_ACR is pwd');
    check(scalar $res->header('X-Stepup-Auth-Time'), $auth_time,
          'STEPUP_AUTH_TIME is the token\'s auth_time');
}

# ---- another level, other cookies around it, a browser navigation ----------
{
    my $res = GET '/token/', basic('alice'),
        Cookie => 'stepup=' . token(acr => 'phr', amr => 'hwk');
    check($res->code, 200, 'phr token on a pwd location: 200');
    check(scalar $res->header('X-Stepup-Acr'), 'phr', 'STEPUP_ACR is phr');

    $res = GET '/token/', basic('alice'),
        Cookie => 'theme=dark; stepup=' . token() . '; lang=en';
    check($res->code, 200, 'the stepup cookie among other cookies: 200');

    $res = GET '/token/', basic('alice'), 'Sec-Fetch-Mode' => 'navigate',
        Accept => 'text/html', Cookie => 'stepup=' . token();
    check($res->code, 200, 'a navigation with a valid token: 200, '
          . 'no redirect');
}

# ---- HEAD ------------------------------------------------------------------
check(HEAD('/token/', basic('alice'), Cookie => 'stepup=' . token())->code,
      200, 'HEAD with a valid token: 200');

# ---- StepupCookieName sudo_mode --------------------------------------------
{
    my $tok = token();
    my $res = GET '/token-cookie/', basic('alice'), Cookie => "sudo_mode=$tok";
    check($res->code, 200, 'StepupCookieName sudo_mode: that cookie: 200');
    check(scalar $res->header('X-Stepup-User'), 'alice',
          'StepupCookieName: STEPUP_USER set');
    check(GET('/token-cookie/', basic('alice'),
              Cookie => "stepup=$tok")->code, 401,
          'StepupCookieName sudo_mode: the default cookie name is not read');
}

# ---- StepupTokenHeader X-Stepup-Token --------------------------------------
{
    my $tok = token();
    my $res = GET '/token-header/', basic('alice'), 'X-Stepup-Token' => $tok;
    check($res->code, 200, 'StepupTokenHeader: token in X-Stepup-Token: 200');
    check(scalar $res->header('X-Stepup-User'), 'alice',
          'StepupTokenHeader: STEPUP_USER set');
    check(GET('/token-header/', basic('alice'),
              Cookie => "stepup=$tok")->code, 200,
          'StepupTokenHeader: the cookie is still accepted');
    check(GET('/token/', basic('alice'), 'X-Stepup-Token' => $tok)->code,
          401, 'without StepupTokenHeader the header is ignored');
}

# ---- a token is good only for its user -------------------------------------
{
    my $bobs = token(user => 'bob');
    my $res = GET '/token/', basic('alice'), Cookie => "stepup=$bobs",
        Accept => 'application/json';
    check($res->code, 401, 'bob\'s token presented by alice: 401');
    check(scalar($res->header('WWW-Authenticate')) || '',
          qr/^Bearer error="insufficient_user_authentication"/,
          'bob\'s token presented by alice: the step-up challenge');
    check(scalar $res->header('X-Stepup-User'), undef,
          'bob\'s token presented by alice: STEPUP_USER not set');

    $res = GET '/token/', basic('bob'), Cookie => "stepup=$bobs";
    check($res->code, 200, 'bob\'s token presented by bob: 200');
    check(scalar $res->header('X-Stepup-User'), 'bob', 'STEPUP_USER is bob');

    $res = GET '/token/', basic('bob'), Cookie => 'stepup=' . token();
    check($res->code, 401, 'alice\'s token presented by bob: 401');
}

# ---- the user is the last field and may contain '|' ------------------------
{
    my $res = GET '/token/', basic('pipe|user'),
        Cookie => 'stepup=' . token(user => 'pipe|user');
    check($res->code, 200, 'a user name with | in it: 200');
    check(scalar $res->header('X-Stepup-User'), 'pipe|user',
          'STEPUP_USER keeps the |');
}

# ---- v2: stepupctl <-> Perl, and Require stepup refuses it ---------------
# Runs stepupctl; returns (exit code, stdout).
sub stepupctl {
    my ($bin, @args) = @_;
    open my $fh, '-|', $bin, @args or die "$bin: $!\n";
    local $/;
    my $out = <$fh>;
    close $fh;
    return ($? >> 8, defined $out ? $out : '');
}

SKIP: {
    my $bin = $ENV{STEPUPCTL} || "$FindBin::Bin/../tools/stepupctl";
    Test::More::skip("stepupctl not built ($bin)", 10) unless -x $bin;
    my $dir = tempdir(CLEANUP => 1);
    my $kf = "$dir/k1.keys";
    my $body = "$dir/body";
    for ([$kf, 'k1 ' . b64url(secret('k1')) . "\n"],
         [$body, "amount=5000&to=bob"]) {
        open my $fh, '>', $_->[0] or die "$_->[0]: $!\n";
        print $fh $_->[1];
        close $fh;
        chmod 0600, $_->[0];
    }
    my @req = ('POST', '/bank/transfer/?from=1',
               'application/x-www-form-urlencoded');
    my $txn = txn_value(@req, 'amount=5000&to=bob');
    my ($rc, $out) = stepupctl($bin, 'token', 'txn', @req, $body);
    check($out, "$txn\n", 'stepupctl token txn: the Perl digest');

    ($rc, $out) = stepupctl($bin, 'token', 'mint', '--key-file', $kf,
                            '--user', 'carol|ops', '--acr', 'phrh',
                            '--txn', $txn);
    chomp $out;
    my $f = parse_v2($out, secret('k1'));
    check($f && $f->{txn}, $txn, 'a v2 token of stepupctl: Perl reads txn');
    check($f && "$f->{user} $f->{acr} $f->{kid}", 'carol|ops phrh k1',
          'a v2 token of stepupctl: Perl reads user, acr, kid');

    my $ptok = mint_v2(secret => secret('k1'), txn => $txn, user => 'erin',
                       acr => 'phr', amr => 'swk');
    ($rc, $out) = stepupctl($bin, 'token', 'verify', '--key-file', $kf,
                            '--txn', $txn, '--user', 'erin', $ptok);
    check($rc, 0, 'a v2 token of Perl: stepupctl verifies it for its txn');
    check($out, qr/^version: v2\n.*^txn: \Q$txn\E\n/ms,
          'stepupctl prints version v2 and the txn');
    ($rc) = stepupctl($bin, 'token', 'verify', '--key-file', $kf,
                      '--txn', txn_value(@req, 'amount=5001&to=bob'), $ptok);
    check($rc, 1, 'a v2 token of Perl: refused for another body');

    # the server checks no transaction yet: every v2 token is refused, the
    # same fields as v1 open
    my $gtxn = txn_value('GET', '/token/');
    my $v2 = mint_v2(secret => secret('k1'), txn => $gtxn, user => 'alice');
    my $res = GET '/token/', basic('alice'), Cookie => "stepup=$v2";
    check($res->code, 401, 'Require stepup refuses a v2 token (cookie)');
    check(scalar $res->header('X-Stepup-User'), undef,
          'refused v2 token: STEPUP_USER not set');
    check(GET('/token-header/', basic('alice'), 'X-Stepup-Token' => $v2)->code,
          401, 'Require stepup refuses a v2 token (StepupTokenHeader)');
    check(GET('/token/', basic('alice'), Cookie => 'stepup=' . token())->code,
          200, 'the v1 token of the same user opens');
}

done_testing();
