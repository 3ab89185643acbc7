# SPDX-License-Identifier: Apache-2.0
# POST password: a wrong password gets the page again (401, no cookie), the
# right one the token cookie and 303 to return_to (JSON with Accept:
# application/json); the cookie's attributes and the token's fields
# (src/core/token.c); return_to attacks; StepupAuthnProvider (file, an
# AuthnProviderAlias); StepupCookieSecure/StepupCookieName;
# StepupBindCookie; StepupMethods; a whole round trip from a protected page
# and back.
#   /stepup/               defaults (alice, bob, "pipe|user")
#   /handler-alias/        StepupAuthnProvider stepup_alias
#   /handler-secure/       StepupCookieSecure On, StepupCookieName sudo_mode
#   /handler-bind/         StepupBindCookie sess
#   /handler-passkey-only/ StepupMethods passkey
#   /handler-protected/    Require stepup
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore plan done_testing need_module);
use Apache::TestRequest qw(GET);
use JSON::PP ();
use URI;
use StepupTest qw(check basic reset_ua secret hostport_url %PASSWORDS
                  log_offset log_since);
use StepupToken qw(token_from);
use StepupClient qw(json_of);
use StepupHandler qw(%USERS %ALIAS_PASSWORDS csrf_mint post_form page_field
                     page_csrf html_unescape set_cookies cookie_parts);

plan need_module('stepup', 'auth_basic', 'authn_file',
                 'authn_core', 'socache_shmcb');

reset_ua();

my $LIFETIME = 600;   # StepupLifetime in t/conf/extra.conf.in

sub hbasic { my ($u) = @_; return basic($u, $USERS{$u}) }

# POST password at $base for $user (Basic with $auth_pw) with $password.
sub post_password {
    my (%a) = @_;
    my $user = $a{user};
    my $base = $a{base} || '/stepup/';
    my @fields = (csrf => csrf_mint(user => $user));
    push @fields, password => $a{password} if defined $a{password};
    push @fields, return_to => $a{return_to} if defined $a{return_to};
    my @auth = defined $a{auth_pw} ? basic($user, $a{auth_pw})
             : exists $USERS{$user} ? hbasic($user) : basic($user);
    return post_form("${base}password", \@fields, @auth, @{ $a{headers} || [] });
}

# The token a response sets, field by field.
sub token_checks {
    my ($tok, $name, %e) = @_;
    $tok = '' unless defined $tok;
    my @parts = split /\./, $tok, -1;
    check(scalar(@parts) . " $tok", qr/^4 v1\.k1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/,
          "$name: token v1.k1.<payload>.<mac>, base64url without padding");
    check($parts[3] || '', StepupToken::sign("v1.k1." . ($parts[2] || ''), secret('k1')),
          "$name: the MAC is HMAC-SHA256 of v1.k1.<payload> under k1");
    my $f = StepupToken::parse($tok);
    check(defined $f->{auth_time} && $f->{auth_time} =~ /^\d+$/
          && abs($f->{auth_time} - time) <= 5 ? 'now' : $f->{auth_time},
          'now', "$name: auth_time is now");
    check(($f->{expires} || 0) - ($f->{auth_time} || 0), $LIFETIME,
          "$name: expires is auth_time + StepupLifetime ($LIFETIME)");
    check($f->{acr}, 'pwd', "$name: acr pwd");
    check($f->{amr}, 'pwd', "$name: amr pwd");
    check($f->{bind}, defined $e{bind} ? $e{bind} : '-',
          "$name: bind " . (defined $e{bind} ? 'is the session\'s' : '"-"'));
    check($f->{user}, $e{user}, "$name: user is $e{user}");
    check(scalar(split /\|/, $f->{text} || '', -1), $e{user} =~ tr/|// + 6,
          "$name: six fields, the user last");
}

# Exactly one Set-Cookie, with exactly these attributes.
sub cookie_checks {
    my ($res, $name, %e) = @_;
    my $cname = $e{cookie} || 'stepup';
    my @sc = set_cookies($res);
    check(scalar(@sc), 1, "$name: one Set-Cookie");
    check($sc[0] || '', qr/^\Q$cname\E=v1\.[^;\s]+; Path=\/; Max-Age=$LIFETIME; HttpOnly; SameSite=Strict\Q$e{extra}\E$/,
          "$name: $cname=<token>; Path=/; Max-Age=$LIFETIME; HttpOnly; "
          . "SameSite=Strict$e{extra}");
}

# ---- a wrong password: the page again, 401, no cookie ----------------------
{
    my $off = log_offset();
    my $res = post_password(user => 'alice', password => 'not-alices-pw',
                            return_to => '/wrong?x=1');
    my $html = $res->content;
    check($res->code, 401, 'wrong password: 401');
    check(scalar $res->header('Content-Type'), 'text/html; charset=utf-8',
          'wrong password: the page (text/html)');
    check($html, qr{<h1 id="title">Confirm access</h1>},
          'wrong password: the Confirm access page again');
    check($html, qr{<p class="error" role="alert" id="error">Incorrect password\.</p>},
          'wrong password: an error line "Incorrect password."');
    check($html, qr{<input id="password" name="password" type="password" autocomplete="current-password" required autofocus aria-describedby="error why" aria-invalid="true">},
          'wrong password: the field is marked invalid and described by the error');
    check(html_unescape(page_field($html, 'return_to')), '/wrong?x=1',
          'wrong password: return_to kept in the form');
    check(page_csrf($html), qr/^k1\.\d+\.[A-Za-z0-9_-]{43}$/,
          'wrong password: a CSRF token in the form to try again');
    check(scalar(set_cookies($res)), 0, 'wrong password: no Set-Cookie');
    check(scalar($res->header('WWW-Authenticate')), undef,
          'wrong password: no WWW-Authenticate (the session is untouched)');
    check(scalar $res->header('Location'), undef, 'wrong password: no redirect');
    my $log = log_since($off);
    check($log, qr/STEPUP0100: user alice from 127\.0\.0\.1: step-up by password \(acr pwd\): failed: wrong password$/m,
          'wrong password: one log line with user, method, address, outcome');
    check(scalar(() = $log =~ /STEPUP0100:/g), 1,
          'wrong password: logged once');
    # the primary session still works
    check(GET('/stepup/status', basic('alice'))->code, 200,
          'wrong password: the Basic session still works');
}

# ---- a wrong password, JSON ------------------------------------------------
{
    my $res = post_password(user => 'alice', password => 'still-wrong',
                            headers => [ Accept => 'application/json' ]);
    my $j = json_of($res);
    check($res->code, 401, 'wrong password, JSON: 401');
    check(scalar $res->header('Content-Type'), 'application/json',
          'wrong password, JSON: application/json');
    check(ref $j ? JSON::PP->new->canonical->encode($j) : $res->content,
          '{"error":"Incorrect password.","ok":false}',
          'wrong password, JSON: {"ok":false,"error":"Incorrect password."}');
    check(scalar(set_cookies($res)), 0, 'wrong password, JSON: no Set-Cookie');
    check(scalar($res->header('WWW-Authenticate')), undef,
          'wrong password, JSON: no WWW-Authenticate');
}

# ---- the right password: cookie and 303 to return_to -----------------------
my $alice_token;
{
    my $off = log_offset();
    my $res = post_password(user => 'alice', password => $PASSWORDS{alice},
                            return_to => '/handler-protected/?a=1&b=%2F');
    check($res->code, 303, 'right password: 303');
    check(scalar $res->header('Location'),
          hostport_url('/handler-protected/?a=1&b=%2F'),
          'right password: Location is return_to on this site, exactly');
    cookie_checks($res, 'right password', extra => '');
    my ($n, $v, $attrs) = cookie_parts((set_cookies($res))[0] || '');
    check(join(',', sort keys %$attrs), 'HttpOnly,Max-Age,Path,SameSite',
          'right password: no Domain, Expires or Secure over plain HTTP');
    $alice_token = $v;
    token_checks($v, 'right password', user => 'alice');
    my $log = log_since($off);
    check($log, qr/STEPUP0100: user alice from 127\.0\.0\.1: step-up by password \(acr pwd\): ok$/m,
          'right password: one log line with user, method, address, outcome');
    check(scalar(() = $log =~ /STEPUP0100:/g), 1, 'right password: logged once');
    my $page = GET '/handler-protected/', basic('alice'),
        Cookie => "stepup=$alice_token";
    check($page->code, 200, 'the token opens a Require stepup location');
    check(GET('/handler-protected/', basic('bob'), Accept => 'application/json',
              Cookie => "stepup=$alice_token")->code, 401,
          'alice\'s token does not open it for bob');
}

# ---- the right password, JSON ----------------------------------------------
{
    my $res = post_password(user => 'alice', password => $PASSWORDS{alice},
                            return_to => '/j?k=1',
                            headers => [ Accept => 'application/json' ]);
    my $j = json_of($res) || {};
    my $tok = token_from($res);
    my $f = StepupToken::parse($tok || 'x.x.x.x');
    check($res->code, 200, 'right password, JSON: 200');
    check(scalar $res->header('Content-Type'), 'application/json',
          'right password, JSON: application/json');
    check(join(',', sort keys %$j), 'acr,expires_at,ok,return_to',
          'right password, JSON: ok, return_to, acr, expires_at');
    check(ref $j->{ok} && $j->{ok} ? 'true' : 'not true', 'true',
          'right password, JSON: ok is true');
    check($j->{return_to}, '/j?k=1', 'right password, JSON: return_to');
    check($j->{acr}, 'pwd', 'right password, JSON: acr pwd');
    check($j->{expires_at}, $f->{expires},
          'right password, JSON: expires_at is the token\'s expiry');
    check(scalar $res->header('Location'), undef,
          'right password, JSON: no redirect');
}

# ---- a user name with "|" --------------------------------------------------
{
    my $res = post_password(user => 'pipe|user',
                            password => $PASSWORDS{'pipe|user'});
    check($res->code, 303, '"pipe|user": 303');
    check(StepupToken::parse(token_from($res) || 'x.x.x.x')->{user},
          'pipe|user', '"pipe|user": the token\'s last field is the whole name');
}

# ---- return_to attacks: always back to this site ---------------------------
for my $c (
    [ 'absent',            undef ],
    [ '//host',            '//evil.example/x' ],
    [ 'https://host',      'https://evil.example/' ],
    [ 'http://host',       'http://evil.example' ],
    [ '/\\host',           '/\\evil.example' ],
    [ '\\\\host',          '\\\\evil.example' ],
    [ 'javascript:',       'javascript:alert(document.cookie)' ],
    [ 'CR/LF',             "/ok\r\nSet-Cookie: evil=1" ],
    [ 'LF',                "/ok\nLocation: https://evil.example" ],
    [ 'TAB then //host',   "/\t/evil.example" ],
    [ 'leading space',     ' /ok' ],
    [ 'NUL',               "/ok\0.evil.example" ],
) {
    my ($name, $rt) = @$c;
    my $res = post_password(user => 'alice', password => $PASSWORDS{alice},
                            return_to => $rt);
    my $code = $res->code;
    # a NUL in the body is malformed (400), else a sanitised redirect
    if ($name eq 'NUL') {
        check($code, 400, "return_to $name: 400 (a NUL is refused)");
        check(scalar(set_cookies($res)), 0, "return_to $name: no cookie");
        next;
    }
    check($code, 303, "return_to $name: 303");
    check(scalar $res->header('Location'), hostport_url('/'),
          "return_to $name: Location is this site's /");
}
for my $c (
    [ 'a literal %0d%0a', '/a%0d%0a?b', '/a%0d%0a?b' ],
    [ 'a query with an encoded URL', '/a?next=https%3A%2F%2Fx', '/a?next=https%3A%2F%2Fx' ],
) {
    my ($name, $rt, $want) = @$c;
    my $res = post_password(user => 'alice', password => $PASSWORDS{alice},
                            return_to => $rt);
    check($res->code, 303, "return_to $name: 303");
    check(scalar $res->header('Location'), hostport_url($want),
          "return_to $name: kept as written");
}

# the JSON answer carries the sanitised return_to too
{
    my $res = post_password(user => 'alice', password => $PASSWORDS{alice},
                            return_to => '//evil.example',
                            headers => [ Accept => 'application/json' ]);
    check((json_of($res) || {})->{return_to}, '/',
          'return_to //host, JSON: return_to is "/"');
}

# ---- StepupAuthnProvider: an AuthnProviderAlias with its own file ----------
{
    my $res = post_password(user => 'carol', base => '/handler-alias/',
                            password => $ALIAS_PASSWORDS{carol},
                            return_to => '/c');
    check($res->code, 303, 'alias provider, its password: 303');
    check(scalar $res->header('Location'), hostport_url('/c'),
          'alias provider, its password: back to return_to');
    token_checks(token_from($res), 'alias provider', user => 'carol');

    $res = post_password(user => 'carol', base => '/handler-alias/',
                         password => $USERS{carol});
    check($res->code, 401, 'alias provider: the primary file\'s password is '
          . 'not the one checked (401)');
    check(scalar(set_cookies($res)), 0,
          'alias provider, other password: no cookie');
}

# a federated user (StepupHasPassword says fred has none): refused
# without asking the provider, whatever the password
{
    my $res = post_password(user => 'fred', base => '/handler-alias/',
                            password => $USERS{fred});
    check($res->code, 403, 'federated user: 403, even with the primary password');
    check($res->content, qr{<h1 id="title">Confirm access</h1>},
          'federated user: the page again');
    check(scalar(set_cookies($res)), 0, 'federated user: no cookie');
}

# ---- StepupCookieSecure On, StepupCookieName sudo_mode ---------------------
{
    my $res = post_password(user => 'ivan', base => '/handler-secure/',
                            password => $USERS{ivan});
    check($res->code, 303, 'StepupCookieSecure On: 303');
    cookie_checks($res, 'StepupCookieSecure On, StepupCookieName sudo_mode',
                  cookie => 'sudo_mode', extra => '; Secure');
    check(token_from($res, 'stepup'), undef,
          'StepupCookieName sudo_mode: no "stepup" cookie');
    check(StepupToken::parse(token_from($res, 'sudo_mode') || 'x.x.x.x')->{user},
          'ivan', 'StepupCookieName sudo_mode: ivan\'s token');
}

# ---- StepupBindCookie sess -------------------------------------------------
{
    my $off = log_offset();
    my $res = post_password(user => 'ivan', base => '/handler-bind/',
                            password => $USERS{ivan});
    check($res->code, 400, 'bind, no session cookie: 400');
    check($res->content, qr{<p class="error" role="alert" id="error">Your session cookie is missing\. Sign in again, then confirm\.</p>},
          'bind, no session cookie: the page says why');
    check(scalar(set_cookies($res)), 0, 'bind, no session cookie: no cookie');
    check(log_since($off), qr/STEPUP0100: user ivan from 127\.0\.0\.1: step-up by password \(acr pwd\): refused: no session cookie to bind the token to$/m,
          'bind, no session cookie: logged');

    $res = post_password(user => 'ivan', base => '/handler-bind/',
                         password => $USERS{ivan},
                         headers => [ Cookie => 'sess=S3ss10n-Value' ]);
    check($res->code, 303, 'bind, with the session cookie: 303');
    my $f = StepupToken::parse(token_from($res) || 'x.x.x.x');
    check($f->{bind}, StepupToken::bind_value('S3ss10n-Value'),
          'bind: the token is bound to the session cookie');
    check($f->{user}, 'ivan', 'bind: ivan\'s token');
    check($f->{acr}, 'pwd', 'bind: acr pwd');
}

# ---- StepupMethods passkey: the password method is off ---------------------
{
    my $res = post_password(user => 'carol', base => '/handler-passkey-only/',
                            password => $USERS{carol});
    check($res->code, 403, 'StepupMethods passkey: POST password is 403');
    check($res->content, "password step-up is not enabled here\n",
          'StepupMethods passkey: a one-line reason');
    check(scalar(set_cookies($res)), 0, 'StepupMethods passkey: no cookie');
}

# ---- missing and empty password --------------------------------------------
{
    my $res = post_password(user => 'alice');
    check($res->code, 400, 'no password field: 400');
    check($res->content, "missing form field \"password\"\n",
          'no password field: a one-line reason');
    check(scalar(set_cookies($res)), 0, 'no password field: no cookie');

    my $off = log_offset();
    $res = post_password(user => 'alice', password => '');
    check($res->code, 400, 'empty password: 400');
    check($res->content, qr{<p class="error" role="alert" id="error">Enter your password\.</p>},
          'empty password: the page asks for it');
    check(scalar(set_cookies($res)), 0, 'empty password: no cookie');
    check(log_since($off) =~ /STEPUP0100: user alice .*failed/ ? 'failure'
          : 'none', 'none', 'empty password: not a failed attempt');
}

# ---- a round trip from a protected page and back ---------------------------
{
    my $ua = Apache::TestRequest::user_agent(reset => 1,
                                             requests_redirectable => 0);
    my $start = '/handler-protected/?tab=security&n=1';
    my @nav = ('Sec-Fetch-Mode' => 'navigate',
               Accept => 'text/html,application/xhtml+xml,*/*;q=0.8');
    my $res = GET $start, basic('bob'), @nav;
    check($res->code, 302, 'round trip: the protected page answers 302');
    my $loc = URI->new($res->header('Location') || '');
    check($loc->path, '/stepup/', 'round trip: to the confirm page');

    $res = GET $loc->path_query, basic('bob'), @nav;
    check($res->code, 200, 'round trip: the confirm page');
    my $html = $res->content;
    my ($action) = $html =~ /<form method="post" action="([^"]+)"/;
    check($action, '/stepup/password', 'round trip: the form\'s action');
    my $csrf = page_csrf($html);
    my $rt = html_unescape(page_field($html, 'return_to'));
    check($rt, $start, 'round trip: return_to is the protected page');

    $res = post_form(html_unescape($action),
                     [ csrf => $csrf, return_to => $rt,
                       username => 'bob', password => $PASSWORDS{bob} ],
                     basic('bob'), @nav, Origin => 'http://'
                     . Apache::TestRequest::hostport(),
                     Referer => hostport_url($loc->path_query));
    check($res->code, 303, 'round trip: the password is accepted (303)');
    check(scalar $res->header('Location'), hostport_url($start),
          'round trip: 303 back to the protected page');
    my $tok = token_from($res);
    check(defined $tok ? 'cookie' : 'none', 'cookie',
          'round trip: with the step-up cookie');
    check(StepupToken::parse($tok || 'x.x.x.x')->{user}, 'bob',
          'round trip: bob\'s token');

    my $back = URI->new($res->header('Location') || '');
    $res = GET $back->path_query, basic('bob'), @nav, Cookie => "stepup=$tok";
    check($res->code, 200, 'round trip: the protected page now answers 200');
    check($res->content, "ok handler-protected\n",
          'round trip: and serves its content');
    # what the protected page sees of the token
    $res = GET '/token/', basic('bob'), Cookie => "stepup=$tok";
    check($res->code, 200, 'round trip: the token opens other Require stepup '
          . 'locations');
    check(scalar $res->header('X-Stepup-User'), 'bob',
          'round trip: STEPUP_USER is bob');
    check(scalar $res->header('X-Stepup-Acr'), 'pwd',
          'round trip: STEPUP_ACR is pwd');
}

done_testing();
