# SPDX-License-Identifier: Apache-2.0
# Require stepup composed with other authorization (mod_authz_core):
#   /compose-all/       <RequireAll> Require valid-user + Require stepup
#   /compose-any-deny/  <RequireAny> Require ip 10.255.255.1 + Require stepup
#   /compose-any-ip/    <RequireAny> Require ip 127.0.0.1 + Require stepup
#   /htaccess/          .htaccess (AllowOverride AuthConfig): AuthType Basic
#                       + Require stepup
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore plan done_testing need_module);
use Apache::TestRequest qw(GET);
use JSON::PP ();
use URI;
use StepupTest qw(check basic reset_ua token hostport_url);

plan need_module('stepup', 'auth_basic', 'authn_file',
                 'authz_host', 'authz_user', 'headers');

reset_ua();

my $NAV = [ 'Sec-Fetch-Mode' => 'navigate', Accept => 'text/html,*/*' ];
my $API = [ Accept => 'application/json' ];
my $BEARER = qr/^Bearer error="insufficient_user_authentication", error_description="[^"]+", acr_values="pwd", max_age=300$/;

sub www_auth { my @v = $_[0]->header('WWW-Authenticate'); return join ' | ', @v }

sub return_to {
    my ($res) = @_;
    my %q = URI->new($res->header('Location') || '')->query_form;
    return $q{return_to};
}

# The primary authentication's 401 with its own realm.
sub basic_401 {
    my ($path, $realm, $name) = @_;
    my $res = GET $path, @$API;
    check($res->code, 401, "$name, no user: 401");
    check(www_auth($res), qr/^Basic realm="\Q$realm\E"$/,
          "$name, no user: Basic challenge only");
}

# The step-up challenge for an API client.
sub bearer_401 {
    my ($path, $name) = @_;
    my $res = GET $path, basic('alice'), @$API;
    check($res->code, 401, "$name, user without token: 401");
    check(www_auth($res), $BEARER,
          "$name, user without token: only the Bearer challenge");
    return $res;
}

# The browser is sent to the confirm page.
sub redirect_302 {
    my ($path, $name) = @_;
    my $res = GET $path, basic('alice'), @$NAV;
    check($res->code, 302, "$name, navigation: 302");
    check(join(' ', substr($res->header('Location') || '', 0,
                           length hostport_url('/stepup/?')),
               return_to($res) || ''),
          hostport_url('/stepup/?') . " $path",
          "$name, navigation: to /stepup/?return_to=$path");
}

# ---- RequireAll valid-user + stepup ----------------------------------------
basic_401('/compose-all/', 'stepup tests', 'RequireAll');
bearer_401('/compose-all/', 'RequireAll');
redirect_302('/compose-all/', 'RequireAll');
{
    my $res = GET '/compose-all/', basic('alice'),
        Cookie => 'stepup=' . token();
    check($res->code, 200, 'RequireAll, valid token: 200');
    check(scalar $res->header('X-Stepup-User'), 'alice',
          'RequireAll, valid token: STEPUP_USER set');
}

# ---- RequireAny with an address that is not ours ---------------------------
basic_401('/compose-any-deny/', 'stepup tests', 'RequireAny (ip denied)');
{
    my $res = bearer_401('/compose-any-deny/', 'RequireAny (ip denied)');
    my $body = eval { JSON::PP->new->decode($res->content) } || {};
    check($body->{error} || '', 'insufficient_user_authentication',
          'RequireAny (ip denied), user without token: JSON body');
}
redirect_302('/compose-any-deny/', 'RequireAny (ip denied)');
check(GET('/compose-any-deny/', basic('alice'),
          Cookie => 'stepup=' . token())->code,
      200, 'RequireAny (ip denied), valid token: 200');
check(GET('/compose-any-deny/', basic('alice'), @$API,
          Cookie => 'stepup=' . token(user => 'bob'))->code,
      401, 'RequireAny (ip denied), bob\'s token for alice: 401');

# ---- RequireAny with our own address ---------------------------------------
{
    my $res = GET '/compose-any-ip/', @$API;
    check($res->code, 200,
          'RequireAny (ip granted), no user, no token: 200');
    check(www_auth($res), '',
          'RequireAny (ip granted): no WWW-Authenticate on the 200');
    check(scalar $res->header('X-Stepup-User'), undef,
          'RequireAny (ip granted): no STEPUP_USER without a token');

    $res = GET '/compose-any-ip/', basic('alice'), @$API;
    check($res->code, 200,
          'RequireAny (ip granted), user without token: 200');
    check(www_auth($res), '',
          'RequireAny (ip granted), user without token: no Bearer');

    check(GET('/compose-any-ip/', basic('alice'), @$NAV)->code, 200,
          'RequireAny (ip granted), navigation: 200, no redirect');
    check(GET('/compose-any-ip/', basic('alice'), @$API,
              Cookie => 'stepup=v1.k1.garbage.x')->code, 200,
          'RequireAny (ip granted), garbage token: 200');
}

# ---- .htaccess with AllowOverride AuthConfig -------------------------------
basic_401('/htaccess/', 'stepup htaccess', '.htaccess');
{
    my $res = bearer_401('/htaccess/', '.htaccess');
    check($res->header('Content-Type') || '', qr{^application/json},
          '.htaccess, user without token: JSON body');
}
redirect_302('/htaccess/', '.htaccess');
{
    my $res = GET '/htaccess/', basic('alice'),
        Cookie => 'stepup=' . token(acr => 'phr', amr => 'hwk');
    check($res->code, 200, '.htaccess, valid token: 200');
    check(scalar $res->header('X-Stepup-Acr'), 'phr',
          '.htaccess, valid token: STEPUP_ACR set');
    check(GET('/htaccess/', basic('alice'), @$API,
              Cookie => 'stepup=' . token(auth_time => time - 20,
                                          expires => time - 1))->code,
          401, '.htaccess, expired token: 401');
}

done_testing();
