# A valid token opens the location and its fields reach the request as
# STEPUP_USER, STEPUP_ACR and STEPUP_AUTH_TIME (shown by mod_headers);
# StepupCookieName and StepupTokenHeader; a token is good only for its user.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore plan done_testing need_module);
use Apache::TestRequest qw(GET HEAD);
use StepupTest qw(check basic reset_ua token);

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

done_testing();
