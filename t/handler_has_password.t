# SPDX-License-Identifier: Apache-2.0
# "Has a password" is never decided by checking one (a made-up password
# sent to the provider would be a failed sign-in there). The provider of
# /handler-broken/ fails on every check (its AuthUserFile does not exist,
# as when LDAP is down), and mod_authn_file
# logs each check it fails ("AH01620: Could not open password file"): the
# log counts the password checks. The confirm page, status, manage and
# register/begin check none; a real password answers 503 and shows the
# password field again; a provider error never opens the federated
# bootstrap, even where StepupMethods names it. /handler-nopw/ says
# StepupHasPassword false: no password field, and no provider is asked.
# Users: nora, noel (t/lib/StepupHandler.pm).
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore plan done_testing need_module);
use Apache::TestRequest qw(GET POST);
use StepupTest qw(check basic reset_ua log_offset log_since);
use StepupClient qw(json_of);
use StepupHandler qw(%USERS csrf_mint post_form);

plan need_module('stepup', 'auth_basic', 'authn_file', 'dbd',
                 'socache_shmcb');

reset_ua();

my $BR = '/handler-broken/';
my $NP = '/handler-nopw/';
my $PASSWORD_FIELD = qr/<input[^>]*type="password"/;

sub hbasic { return basic($_[0], $USERS{ $_[0] }) }

# The password checks the provider failed since $offset.
sub checks_since {
    my ($offset) = @_;
    my @hits = log_since($offset) =~ /AH01620: Could not open password file/g;
    return scalar @hits;
}

# ---- nothing but a real password asks the provider -------------------------
{
    my $off = log_offset();
    my $r = GET("$BR?return_to=%2F", hbasic('nora'), Accept => 'text/html');
    check($r->code, 200, 'the confirm page, the provider failing: 200');
    check($r->content, $PASSWORD_FIELD, '... a password field (nora is taken '
          . 'to have a password)');
    check($r->content =~ /data-action="register"/ ? 'bootstrap' : 'none',
          'none', '... no "Add a passkey" without a token (no bootstrap)');
    check(checks_since($off), 0, '... no password checked');

    $off = log_offset();
    $r = GET("${BR}status", hbasic('nora'), Accept => 'application/json');
    my $j = json_of($r) || {};
    check($r->code . ' ' . ($j->{has_password} ? 'true' : 'false'), '200 true',
          'status: has_password true');
    check(checks_since($off), 0, '... no password checked');

    $off = log_offset();
    $r = GET("${BR}manage", hbasic('nora'), Accept => 'text/html');
    check($r->code, 303, 'manage without a token: 303 to confirm (not the '
          . 'bootstrap)');
    check(checks_since($off), 0, '... no password checked');

    $off = log_offset();
    $r = POST("${BR}passkey/register/begin", hbasic('nora'),
              Accept => 'application/json', 'Content-Type' => 'application/json',
              'X-Stepup-CSRF' => csrf_mint(user => 'nora'), content => '{}');
    check($r->code, 401, 'register/begin without a token: 401, no options '
          . '(the provider error is no bootstrap)');
    check(checks_since($off), 0, '... no password checked');
}

# ---- a real password: the provider fails, 503 ------------------------------
{
    my $off = log_offset();
    my $r = post_form("${BR}password",
                      [ password => $USERS{nora}, return_to => '/x',
                        csrf => csrf_mint(user => 'nora') ],
                      hbasic('nora'), Accept => 'text/html');
    check($r->code, 503, 'POST password, the provider failing: 503');
    check($r->content, qr/cannot be checked right now/,
          '... the page says the password cannot be checked now');
    check($r->content, $PASSWORD_FIELD, '... with the password field again');
    check($r->content =~ /data-action="register"|no password on this site/
          ? 'bootstrap' : 'none', 'none', '... and no offer of a passkey '
          . 'instead of the password');
    check(scalar(() = $r->header('Set-Cookie')), 0, '... no cookie');
    check(checks_since($off), 1, '... exactly one password checked');

    $r = post_form("${BR}password",
                   [ password => $USERS{nora}, csrf => csrf_mint(user => 'nora') ],
                   hbasic('nora'), Accept => 'application/json');
    my $j = json_of($r) || {};
    check($r->code . ' ' . ($j->{ok} ? 'ok' : 'not ok'), '503 not ok',
          'POST password as JSON: 503, ok false');
    $r = POST("${BR}passkey/register/begin", hbasic('nora'),
              Accept => 'application/json', 'Content-Type' => 'application/json',
              'X-Stepup-CSRF' => csrf_mint(user => 'nora'), content => '{}');
    check($r->code, 401, 'register/begin after the errors: still 401');
}

# ---- StepupHasPassword false: nobody has a password here -------------------
{
    my $off = log_offset();
    my $r = GET("$NP?return_to=%2F", hbasic('noel'), Accept => 'text/html');
    check($r->code . ' ' . ($r->content =~ $PASSWORD_FIELD ? 'field' : 'no field'),
          '200 no field', 'StepupHasPassword false: the page has no password '
          . 'field');
    $r = GET("${NP}status", hbasic('noel'), Accept => 'application/json');
    check((json_of($r) || {})->{has_password} ? 'true' : 'false', 'false',
          '... status: has_password false');
    $r = post_form("${NP}password",
                   [ password => $USERS{noel}, csrf => csrf_mint(user => 'noel') ],
                   hbasic('noel'), Accept => 'application/json');
    check($r->code, 403, '... POST password: 403');
    check((json_of($r) || {})->{error} || '', qr/no password here/,
          '... saying the account has no password here');
    check(scalar(() = $r->header('Set-Cookie')), 0, '... no cookie');
    check(checks_since($off), 0, '... and no provider was asked');
    # no password, no passkey, no bootstrap here: nothing to add one with
    $r = POST("${NP}passkey/register/begin", hbasic('noel'),
              Accept => 'application/json', 'Content-Type' => 'application/json',
              'X-Stepup-CSRF' => csrf_mint(user => 'noel'), content => '{}');
    check($r->code, 403, '... register/begin without a token (no bootstrap '
          . 'here): 403');
}

done_testing();
