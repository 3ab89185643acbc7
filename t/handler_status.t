# SPDX-License-Identifier: Apache-2.0
# GET status and POST drop (src/handler/status.c). status: user,
# has_password, passkeys, csrf, and the current token's acr, auth_time,
# expires_at (null without a valid token). drop: clears the cookie
# (Max-Age=0), needs the CSRF token, 303 to return_to or JSON.
#   /stepup/               defaults (alice, bob, "pipe|user")
#   /handler-alias/        StepupAuthnProvider stepup_alias (fred federated)
#   /handler-passkey-only/ StepupMethods passkey
#   /handler-secure/       StepupCookieSecure On, StepupCookieName sudo_mode
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore plan done_testing need_module);
use Apache::TestRequest qw(GET POST);
use HTTP::Request ();
use JSON::PP ();
use StepupTest qw(check basic reset_ua secret token hostport_url %PASSWORDS
                  log_offset log_since);
use StepupToken qw(token_from);
use StepupClient qw(json_of);
use StepupHandler qw(%USERS csrf_mint post_form set_cookies);

plan need_module('stepup', 'auth_basic', 'authn_file',
                 'authn_core', 'socache_shmcb');

reset_ua();

my $LIFETIME = 600;

sub hbasic { my ($u) = @_; return basic($u, $USERS{$u}) }

sub status_of {
    my ($path, @h) = @_;
    my $res = GET $path, @h;
    return ($res, json_of($res) || {});
}

sub bool { my ($v) = @_; return !defined $v ? 'null' : JSON::PP::is_bool($v)
    ? ($v ? 'true' : 'false') : "not a boolean: $v" }
sub nul { my ($v) = @_; return defined $v ? "not null: $v" : 'null' }

# The token fields of a status answer.
sub token_fields {
    my ($j, $name, $acr, $auth_time, $expires) = @_;
    check(defined $acr ? $j->{acr} : nul($j->{acr}), defined $acr ? $acr : 'null',
          "$name: acr " . (defined $acr ? $acr : 'null'));
    check(defined $auth_time ? $j->{auth_time} : nul($j->{auth_time}),
          defined $auth_time ? $auth_time : 'null',
          "$name: auth_time " . (defined $auth_time ? 'of the token' : 'null'));
    check(defined $expires ? $j->{expires_at} : nul($j->{expires_at}),
          defined $expires ? $expires : 'null',
          "$name: expires_at " . (defined $expires ? 'of the token' : 'null'));
}

# ---- without a token -------------------------------------------------------
{
    my ($res, $j) = status_of('/stepup/status', basic('alice'));
    check($res->code, 200, 'status: 200');
    check(scalar $res->header('Content-Type'), 'application/json',
          'status: application/json');
    check(join(',', sort keys %$j),
          'acr,auth_time,csrf,expires_at,has_password,passkeys,user',
          'status: exactly these fields');
    check($j->{user}, 'alice', 'status: user');
    check(bool($j->{has_password}), 'true', 'status: has_password true');
    check($j->{passkeys}, 0,
          'status: passkeys 0 (none registered, or no mod_dbd)');
    my ($kid, $issued) = split /\./, $j->{csrf} || '';
    check($j->{csrf}, csrf_mint(user => 'alice', issued => $issued || 0),
          'status: csrf is a CSRF token of alice');
    check(abs(($issued || 0) - time) <= 5 ? 'now' : $issued, 'now',
          'status: the CSRF token was issued now');
    token_fields($j, 'status without a token');
    check(scalar(set_cookies($res)), 0, 'status: sets no cookie');
}

# its CSRF token is good for a POST
{
    my (undef, $j) = status_of('/stepup/status', basic('alice'));
    my $res = post_form('/stepup/password', [ password => $PASSWORDS{alice} ],
                        basic('alice'), 'X-Stepup-CSRF' => $j->{csrf});
    check($res->code, 303, 'the CSRF token of status opens POST password');
}

# ---- with a token ----------------------------------------------------------
{
    my $now = time;
    my @cases = (
        [ 'a pwd token', token(auth_time => $now - 30, expires => $now + 270),
          'pwd', $now - 30, $now + 270 ],
        [ 'a phr token', token(acr => 'phr', amr => 'hwk',
                               auth_time => $now - 5, expires => $now + 100),
          'phr', $now - 5, $now + 100 ],
        [ 'a phrh token signed by k2', token(kid => 'k2', acr => 'phrh',
                                             amr => 'hwk', auth_time => $now - 1,
                                             expires => $now + 60),
          'phrh', $now - 1, $now + 60 ],
        [ 'a token older than StepupMaxAge, within its life',
          token(auth_time => $now - 400, expires => $now + 100),
          'pwd', $now - 400, $now + 100 ],
        [ 'an expired token', token(auth_time => $now - 100, expires => $now - 1),
          undef ],
        [ 'a token beyond StepupLifetime',
          token(auth_time => $now - $LIFETIME - 5, expires => $now + 100), undef ],
        [ 'bob\'s token', token(user => 'bob'), undef ],
        [ 'a forged token', StepupToken::flip_char(token(), -3), undef ],
        [ 'a token signed with a foreign key', token(secret => 'y' x 32), undef ],
        [ 'garbage', 'v1.k1.%%%.$$$', undef ],
    );
    for my $c (@cases) {
        my ($name, $tok, $acr, $at, $exp) = @$c;
        my ($res, $j) = status_of('/stepup/status', basic('alice'),
                                  Cookie => "stepup=$tok");
        token_fields($j, "status, $name", $acr, $at, $exp);
    }
    # the cookie that StepupCookieName names, not another
    my $tok = token(user => 'ivan', auth_time => $now - 3, expires => $now + 33);
    my (undef, $j) = status_of('/handler-secure/status', hbasic('ivan'),
                               Cookie => "stepup=$tok");
    check(nul($j->{acr}), 'null', 'StepupCookieName sudo_mode: the "stepup" '
          . 'cookie is not read');
    (undef, $j) = status_of('/handler-secure/status', hbasic('ivan'),
                            Cookie => "sudo_mode=$tok");
    check($j->{expires_at}, $now + 33,
          'StepupCookieName sudo_mode: the "sudo_mode" cookie is read');
}

# ---- after a real step-up --------------------------------------------------
{
    my $res = post_form('/stepup/password', [ csrf => csrf_mint(user => 'bob'),
        password => $PASSWORDS{bob} ], basic('bob'));
    my $tok = token_from($res);
    my $f = StepupToken::parse($tok || 'x.x.x.x');
    check($res->code, 303, 'step-up for status: 303');
    my (undef, $j) = status_of('/stepup/status', basic('bob'),
                               Cookie => "stepup=$tok");
    token_fields($j, 'status after a password step-up', 'pwd',
                 $f->{auth_time}, $f->{expires});
}

# ---- who has a password ----------------------------------------------------
for my $c (
    [ 'federated fred (alias provider)', '/handler-alias/status', 'fred', 'false' ],
    [ 'carol (alias provider)', '/handler-alias/status', 'carol', 'true' ],
    [ 'carol, StepupMethods passkey', '/handler-passkey-only/status', 'carol', 'false' ],
) {
    my ($name, $path, $user, $has) = @$c;
    my ($res, $j) = status_of($path, hbasic($user));
    check($res->code, 200, "status, $name: 200");
    check($j->{user}, $user, "status, $name: user");
    check(bool($j->{has_password}), $has, "status, $name: has_password $has");
    check($j->{passkeys}, 0, "status, $name: passkeys 0");
}

# user names are given as they are
{
    my (undef, $j) = status_of('/stepup/status', basic('pipe|user'));
    check($j->{user}, 'pipe|user', 'status: a user name with "|"');
    my $odd = q{x<b>&"'y};
    my ($res, $k) = status_of('/handler-secure/status', hbasic($odd));
    check($k->{user}, $odd, 'status: a user name with HTML characters, as is');
    check($k->{csrf}, csrf_mint(user => $odd,
          issued => (split /\./, $k->{csrf} || '')[1] || 0),
          'status: that user\'s CSRF token');
}

# ---- drop: ends the step-up early ------------------------------------------
my $CLEARED = qr/^stepup=; Path=\/; Max-Age=0; HttpOnly; SameSite=Strict$/;

# a form post: 303 to return_to, the cookie cleared, logged
{
    my $tok = token();
    my $off = log_offset();
    my $res = post_form('/stepup/drop', [ csrf => csrf_mint(user => 'alice'),
        return_to => '/after?x=1' ], basic('alice'), Cookie => "stepup=$tok");
    my @sc = set_cookies($res);
    check($res->code, 303, 'drop: 303');
    check(scalar $res->header('Location'), hostport_url('/after?x=1'),
          'drop: to return_to on this site');
    check(scalar(@sc), 1, 'drop: one Set-Cookie');
    check($sc[0] || '', $CLEARED,
          'drop: stepup=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict');
    my $log = log_since($off);
    check($log, qr/STEPUP0110: user alice from 127\.0\.0\.1: step-up dropped$/m,
          'drop: logged with user and address');
    check($log =~ /\Q$tok\E/ ? 'token logged' : 'no token', 'no token',
          'drop: the token is not logged');
}

# return_to attacks and defaults
for my $c (
    [ 'absent', undef ],
    [ '//host', '//evil.example' ],
    [ 'https://host', 'https://evil.example/x' ],
    [ '/\\host', '/\\evil.example' ],
    [ 'javascript:', 'javascript:alert(1)' ],
    [ 'CR/LF', "/a\r\nSet-Cookie: x=1" ],
) {
    my ($name, $rt) = @$c;
    my @f = (csrf => csrf_mint(user => 'alice'));
    push @f, return_to => $rt if defined $rt;
    my $res = post_form('/stepup/drop', \@f, basic('alice'));
    check($res->code, 303, "drop, return_to $name: 303");
    check(scalar $res->header('Location'), hostport_url('/'),
          "drop, return_to $name: to this site's /");
}

# a script: the CSRF header, no body; JSON
{
    my $req = HTTP::Request->new(POST => hostport_url('/stepup/drop'),
        [ basic('alice'), 'X-Stepup-CSRF' => csrf_mint(user => 'alice') ]);
    my $res = Apache::TestRequest::user_agent()->request($req);
    check($res->code, 303, 'drop with the header and no body: 303');
    check(scalar $res->header('Location'), hostport_url('/'),
          'drop with the header and no body: to /');
    check((set_cookies($res))[0] || '', $CLEARED,
          'drop with the header and no body: the cookie cleared');

    $req = HTTP::Request->new(POST => hostport_url('/stepup/drop'),
        [ basic('alice'), 'X-Stepup-CSRF' => csrf_mint(user => 'alice'),
          Accept => 'application/json' ]);
    $res = Apache::TestRequest::user_agent()->request($req);
    my $j = json_of($res);
    check($res->code, 200, 'drop, JSON: 200');
    check(scalar $res->header('Content-Type'), 'application/json',
          'drop, JSON: application/json');
    check($j ? JSON::PP->new->canonical->encode($j) : $res->content,
          '{"ok":true}', 'drop, JSON: {"ok":true}');
    check((set_cookies($res))[0] || '', $CLEARED,
          'drop, JSON: the cookie cleared');
    check(scalar $res->header('Location'), undef, 'drop, JSON: no redirect');
}

# refusals leave the cookie alone
{
    my $res = POST '/stepup/drop', basic('alice'), Cookie => 'stepup=' . token(),
        content => '';
    check($res->code, 403, 'drop without a CSRF token: 403');
    check(scalar(set_cookies($res)), 0, 'drop without a CSRF token: the '
          . 'cookie is left alone');
    $res = post_form('/stepup/drop', [ csrf => csrf_mint(user => 'bob') ],
                     basic('alice'));
    check($res->code, 403, 'drop with bob\'s CSRF token: 403');
    check(scalar(set_cookies($res)), 0, 'drop with bob\'s CSRF token: no '
          . 'Set-Cookie');
    $res = post_form('/stepup/drop', 'csrf=%zz', basic('alice'));
    check($res->code, 400, 'drop with a malformed body: 400');
    check($res->content, "malformed URL-encoding in the request body\n",
          'drop with a malformed body: a one-line reason');
    check(scalar(set_cookies($res)), 0, 'drop with a malformed body: no '
          . 'Set-Cookie');
}

# StepupCookieName/StepupCookieSecure apply to the cleared cookie
{
    my $res = post_form('/handler-secure/drop', [ csrf => csrf_mint(user => 'ivan') ],
                        hbasic('ivan'));
    check($res->code, 303, 'drop at /handler-secure/: 303');
    check((set_cookies($res))[0] || '',
          qr/^sudo_mode=; Path=\/; Max-Age=0; HttpOnly; SameSite=Strict; Secure$/,
          'drop at /handler-secure/: sudo_mode cleared, with Secure');
}

# ---- a browser with a cookie jar: step up, drop, locked again --------------
{
    my $ua = Apache::TestRequest::user_agent(reset => 1, cookie_jar => {},
                                             requests_redirectable => 0);
    my $res = post_form('/stepup/password', [ csrf => csrf_mint(user => 'bob'),
        password => $PASSWORDS{bob}, return_to => '/handler-protected/' ],
        basic('bob'));
    check($res->code, 303, 'browser: stepped up (303)');
    $res = GET '/handler-protected/', basic('bob'), Accept => 'application/json';
    check($res->code, 200, 'browser: the protected page opens with the jar\'s '
          . 'cookie');
    my (undef, $j) = status_of('/stepup/status', basic('bob'));
    check($j->{acr}, 'pwd', 'browser: status shows the token');
    $res = post_form('/stepup/drop', [ csrf => $j->{csrf} ], basic('bob'));
    check($res->code, 303, 'browser: drop (303)');
    $res = GET '/handler-protected/', basic('bob'), Accept => 'application/json';
    check($res->code, 401, 'browser: after drop, the protected page asks for '
          . 'a step-up again');
    (undef, $j) = status_of('/stepup/status', basic('bob'));
    check(nul($j->{acr}), 'null', 'browser: after drop, status shows no token');
    $res = GET '/handler-protected/', basic('bob'), 'Sec-Fetch-Mode' => 'navigate',
        Accept => 'text/html';
    check($res->code, 302, 'browser: and a navigation is sent to confirm');
    reset_ua();
}

done_testing();
