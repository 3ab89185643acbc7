# SPDX-License-Identifier: Apache-2.0
# What protects the handler: the security headers on every answer, routes
# (unknown paths 404, wrong methods 405), the CSRF token on every POST
# (missing, foreign, expired, forged), same-origin Origin and
# Sec-Fetch-Site, malformed and oversized bodies (400/413, a one-line
# reason, nothing changed), the handler outside its URL or without a user,
# and that no password, token or CSRF value reaches t/logs/error_log.
#   /stepup/             every default (alice, bob)
#   /handler-misplaced/  SetHandler stepup outside StepupConfirmURL
#   /handler-nouser/     SetHandler stepup without authentication
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore plan done_testing need_module);
use Apache::TestRequest qw(GET HEAD POST);
use HTTP::Request ();
use IO::Socket::INET ();
use MIME::Base64 qw(encode_base64);
use StepupTest qw(check basic reset_ua secret token hostport_url
                  error_log_text %PASSWORDS log_offset log_since);
use StepupToken qw(token_from);
use StepupClient qw(form_body json_of);
use StepupHandler qw(%USERS csrf_mint post_form page_csrf set_cookies
                     security_checks);

plan need_module('stepup', 'auth_basic', 'authn_file',
                 'authn_core', 'socache_shmcb');

reset_ua();

my $ORIGIN = 'http://' . Apache::TestRequest::hostport();
my $FORM = 'application/x-www-form-urlencoded';

sub alice_csrf { return csrf_mint(user => 'alice', @_) }

# POST exactly these headers and body (LWP adds no Content-Type).
sub raw_post {
    my ($path, $headers, $body) = @_;
    my $req = HTTP::Request->new(POST => hostport_url($path), $headers, $body);
    return Apache::TestRequest::user_agent()->request($req);
}

# ---- the security headers on every kind of answer --------------------------
{
    my $csrf = alice_csrf();
    my @answers = (
        [ 'the page (200)', GET('/stepup/', basic('alice')), 200 ],
        [ 'HEAD of the page (200)', HEAD('/stepup/', basic('alice')), 200 ],
        [ 'status (200)', GET('/stepup/status', basic('alice')), 200 ],
        [ 'an unknown path (404)', GET('/stepup/nope', basic('alice')), 404 ],
        [ 'a wrong method (405)', GET('/stepup/password', basic('alice')), 405 ],
        [ 'POST to the page (405)',
          POST('/stepup/', basic('alice'), content => ''), 405 ],
        [ 'POST without CSRF (403)',
          post_form('/stepup/password', [ password => 'x' ], basic('alice')),
          403 ],
        [ 'POST cross-origin (403)',
          post_form('/stepup/password', [ csrf => $csrf, password => 'x' ],
                    basic('alice'), Origin => 'https://evil.example'), 403 ],
        [ 'a foreign CSRF token (403)',
          post_form('/stepup/password', [ csrf => alice_csrf(),
                    password => 'wrong-pw-1' ], basic('bob')), 403 ],
        [ 'a wrong password (401)',
          post_form('/stepup/password', [ csrf => csrf_mint(user => 'bob'),
                    password => 'wrong-pw-2' ], basic('bob')), 401 ],
        [ 'the right password (303)',
          post_form('/stepup/password', [ csrf => csrf_mint(user => 'bob'),
                    password => $PASSWORDS{bob} ], basic('bob')), 303 ],
        [ 'the right password, JSON (200)',
          post_form('/stepup/password', [ csrf => $csrf,
                    password => $PASSWORDS{alice} ], basic('alice'),
                    Accept => 'application/json'), 200 ],
        [ 'a malformed body (400)',
          post_form('/stepup/password', 'csrf=%zz', basic('alice')), 400 ],
        [ 'an oversized body (413)',
          post_form('/stepup/password', 'a=' . ('x' x 9000), basic('alice')),
          413 ],
        [ 'an empty password (400)',
          post_form('/stepup/password', [ csrf => $csrf, password => '' ],
                    basic('alice')), 400 ],
        [ 'drop (303)',
          post_form('/stepup/drop', [ csrf => $csrf ], basic('alice')), 303 ],
        [ 'drop, JSON (200)',
          POST('/stepup/drop', basic('alice'), 'X-Stepup-CSRF' => $csrf,
               Accept => 'application/json', content => ''), 200 ],
        [ 'drop without CSRF (403)',
          POST('/stepup/drop', basic('alice'), content => ''), 403 ],
        [ 'the handler outside StepupConfirmURL (404)',
          GET('/handler-misplaced/', basic('alice')), 404 ],
        [ 'the handler without a user (403)', GET('/handler-nouser/'), 403 ],
    );
    for my $a (@answers) {
        my ($name, $res, $code) = @$a;
        check($res->code, $code, "$name: status $code");
        security_checks($res, $name);
    }
    # the page's script and style: cacheable, but still framed by nobody
    for my $f ('stepup.js', 'stepup.css') {
        my $res = GET "/stepup/$f", basic('alice');
        check($res->code, 200, "$f: 200");
        security_checks($res, $f, asset => 1);
    }
}

# ---- routes: unknown paths 404, wrong methods 405 with Allow ---------------
for my $path ('/stepup/nope', '/stepup/password/', '/stepup/status/x',
              '/stepup/Password', '/stepup/stepup.js.map',
              '/stepup/passwordx', '/stepup/%70assword') {
    my $res = POST $path, basic('alice'), 'Content-Type' => $FORM,
        'X-Stepup-CSRF' => alice_csrf(), content => 'password=x';
    my $want = $path eq '/stepup/%70assword' ? 401 : 404;
    # %70 is "p": the decoded path is /stepup/password, a real endpoint
    check($res->code, $want, "POST $path: $want");
}
for my $path ('/stepup/nope', '/stepup/status/', '/stepup/.htaccess',
              '/stepup/stepup') {
    check(GET($path, basic('alice'))->code, 404, "GET $path: 404");
}
for my $c (
    [ GET  => '/stepup/password', 'POST' ],
    [ GET  => '/stepup/drop',     'POST' ],
    [ POST => '/stepup/',         'GET' ],
    [ POST => '/stepup/status',   'GET' ],
    [ POST => '/stepup/stepup.js', 'GET' ],
    [ PUT  => '/stepup/password', 'POST' ],
    [ DELETE => '/stepup/',       'GET' ],
    [ PATCH => '/stepup/status',  'GET' ],
) {
    my ($method, $path, $allowed) = @$c;
    my $req = HTTP::Request->new($method => hostport_url($path),
        [ basic('alice'), 'Content-Type' => $FORM,
          'X-Stepup-CSRF' => alice_csrf() ], 'password=x');
    my $res = Apache::TestRequest::user_agent()->request($req);
    check($res->code, 405, "$method $path: 405");
    my $allow = join ',', $res->header('Allow');
    check($allow, qr/(?:^|,\s*)\Q$allowed\E(?:,|$)/,
          "$method $path: Allow lists $allowed (got \"$allow\")");
}

# ---- CSRF: every POST needs a valid token of this user ---------------------
{
    my $now = time;
    my @cases = (
        [ 'missing', undef, 'missing CSRF token' ],
        [ 'empty', '', 'invalid or expired' ],
        [ 'of another user (bob)', csrf_mint(user => 'bob'), 'invalid or expired' ],
        [ 'of another user, prefix (alic)', csrf_mint(user => 'alic'), 'invalid or expired' ],
        [ 'issued 2 h 1 s ago', alice_csrf(issued => $now - 7201), 'invalid or expired' ],
        [ 'issued in the future (+120 s)', alice_csrf(issued => $now + 120), 'invalid or expired' ],
        [ 'unknown kid', alice_csrf(kid => 'k9', secret => secret('k1')), 'invalid or expired' ],
        [ 'signed with a foreign key', alice_csrf(secret => 'x' x 32), 'invalid or expired' ],
        [ 'a MAC character changed', StepupToken::flip_char(alice_csrf(), -5), 'invalid or expired' ],
        [ 'MAC cut short', substr(alice_csrf(), 0, -1), 'invalid or expired' ],
        [ 'issued not a number', 'k1.12x4.' . ('A' x 43), 'invalid or expired' ],
        [ 'a step-up token instead', token(), 'invalid or expired' ],
        [ 'garbage', 'not-a-token', 'invalid or expired' ],
    );
    for my $c (@cases) {
        my ($name, $csrf, $why) = @$c;
        my @f = (password => $PASSWORDS{alice}, return_to => '/x');
        unshift @f, csrf => $csrf if defined $csrf;
        my $res = post_form('/stepup/password', \@f, basic('alice'));
        check($res->code . ' ' . $res->content, qr/^403 \Q$why\E/,
              "CSRF $name: 403 ($why)");
        check(scalar(set_cookies($res)), 0, "CSRF $name: no cookie");
    }
    # a forged header wins over a good form field; the header alone is enough
    my $res = post_form('/stepup/password',
        [ csrf => alice_csrf(), password => $PASSWORDS{alice} ],
        basic('alice'), 'X-Stepup-CSRF' => csrf_mint(user => 'bob'));
    check($res->code, 403, 'CSRF: a foreign X-Stepup-CSRF header with a good '
          . 'field: 403');
    check(scalar(set_cookies($res)), 0, 'CSRF: that sets no cookie');
    $res = post_form('/stepup/password', [ password => $PASSWORDS{alice} ],
        basic('alice'), 'X-Stepup-CSRF' => alice_csrf());
    check($res->code, 303, 'CSRF in the X-Stepup-CSRF header alone: 303');
    # still valid after 2 h less a minute, and when signed by the second key
    $res = post_form('/stepup/password', [ csrf => alice_csrf(issued => $now - 7140),
        password => $PASSWORDS{alice} ], basic('alice'));
    check($res->code, 303, 'CSRF issued 1 h 59 min ago: still accepted');
    $res = post_form('/stepup/password', [ csrf => alice_csrf(kid => 'k2'),
        password => $PASSWORDS{alice} ], basic('alice'));
    check($res->code, 303, 'CSRF signed with k2 (a key that verifies): accepted');
    # drop needs it too
    $res = post_form('/stepup/drop', [ csrf => csrf_mint(user => 'bob') ],
                     basic('alice'));
    check($res->code, 403, 'drop with bob\'s CSRF token: 403');
    check(scalar(set_cookies($res)), 0, 'drop with a foreign token: no '
          . 'cookie cleared');
    $res = POST '/stepup/drop', basic('alice'), content => '';
    check($res->code . ' ' . $res->content, "403 missing CSRF token\n",
          'drop without a token: 403 "missing CSRF token"');
}

# ---- Origin and Sec-Fetch-Site ---------------------------------------------
for my $c (
    [ 'a foreign Origin', [ Origin => 'https://evil.example' ], 403 ],
    [ 'Origin with another port', [ Origin => "http://localhost:1" ], 403 ],
    [ 'Origin of https on the same host', [ Origin => 'https://' . Apache::TestRequest::hostport() ], 403 ],
    [ 'Origin null', [ Origin => 'null' ], 403 ],
    [ 'Origin with a suffix', [ Origin => "$ORIGIN.evil.example" ], 403 ],
    [ 'Sec-Fetch-Site cross-site', [ 'Sec-Fetch-Site' => 'cross-site' ], 403 ],
    [ 'Sec-Fetch-Site cross-site and our Origin',
      [ 'Sec-Fetch-Site' => 'cross-site', Origin => $ORIGIN ], 403 ],
    [ 'our own Origin', [ Origin => $ORIGIN ], 303 ],
    [ 'our own Origin and Sec-Fetch-Site same-origin',
      [ Origin => $ORIGIN, 'Sec-Fetch-Site' => 'same-origin' ], 303 ],
    [ 'no Origin (an older browser, a script)', [], 303 ],
    [ 'Sec-Fetch-Site none (typed by the user)', [ 'Sec-Fetch-Site' => 'none' ], 303 ],
) {
    my ($name, $h, $code) = @$c;
    my $res = post_form('/stepup/password',
        [ csrf => alice_csrf(), password => $PASSWORDS{alice} ],
        basic('alice'), @$h);
    check($res->code, $code, "$name: $code");
    check(scalar(set_cookies($res)), $code == 303 ? 1 : 0,
          "$name: " . ($code == 303 ? 'the cookie' : 'no cookie'));
}
{
    my $res = post_form('/stepup/drop', [ csrf => alice_csrf() ],
                        basic('alice'), Origin => 'https://evil.example');
    check($res->code . ' ' . $res->content, "403 cross-origin request refused\n",
          'drop from a foreign Origin: 403 with a one-line reason');
}

# ---- malformed and oversized bodies: 400/413, one line, nothing changed -------
{
    my $c1 = alice_csrf();
    my $good = form_body(csrf => $c1, password => $PASSWORDS{alice});
    my @cases = (
        [ 'a bad %-escape', "csrf=$c1&password=%zz", 400,
          'malformed URL-encoding in the request body' ],
        [ 'a truncated %-escape', "csrf=$c1&password=abc%4", 400,
          'malformed URL-encoding in the request body' ],
        [ 'an encoded NUL', "csrf=$c1&password=a%00b", 400,
          'malformed URL-encoding in the request body' ],
        [ 'a raw NUL byte', "csrf=$c1&password=a\0b", 400,
          'NUL byte in the request body' ],
        [ 'a field without a name', "csrf=$c1&=x&password=p", 400,
          'a form field has no name' ],
        [ 'the password given twice', "csrf=$c1&password=a&password=b", 400,
          'form field "password" is given twice' ],
        [ 'the csrf given twice', "csrf=$c1&csrf=$c1&password=a", 400,
          'form field "csrf" is given twice' ],
        [ 'a body of 8193 bytes', $good . '&pad=' . ('x' x (8193 - length($good) - 5)),
          413, 'request body too large' ],
        [ 'a body of 64 KiB', 'x' x 65536, 413, 'request body too large' ],
    );
    for my $c (@cases) {
        my ($name, $body, $code, $why) = @$c;
        my $off = log_offset();
        my $res = post_form('/stepup/password', $body, basic('alice'));
        check($res->code . ' ' . $res->content, "$code $why\n",
              "$name: $code \"$why\"");
        check(scalar(set_cookies($res)), 0, "$name: no cookie");
        # a quote is logged escaped (once by the module, again by httpd)
        my $logged = join '(?:\\\\)*"', map { quotemeta } split /"/, $why, -1;
        check(log_since($off), qr/STEPUP0101: POST \/stepup\/password: $code $logged$/m,
              "$name: the reason is logged on one line");
    }
    # other content types
    for my $c (
        [ 'text/plain', 'text/plain' ],
        [ 'JSON', 'application/json' ],
        [ 'multipart', 'multipart/form-data; boundary=x' ],
        [ 'a longer type name', 'application/x-www-form-urlencodedx' ],
    ) {
        my ($name, $type) = @$c;
        my $off = log_offset();
        my $res = raw_post('/stepup/password',
            [ basic('alice'), 'Content-Type' => $type ], $good);
        check($res->code . ' ' . $res->content,
              "400 expected an application/x-www-form-urlencoded body\n",
              "Content-Type $name: 400 with a one-line reason");
        check(scalar(set_cookies($res)), 0, "Content-Type $name: no cookie");
        check(log_since($off), qr/STEPUP0101: POST \/stepup\/password: 400 expected an application\/x-www-form-urlencoded body$/m,
              "Content-Type $name: logged");
    }
    {
        my $res = raw_post('/stepup/password', [ basic('alice') ], $good);
        check($res->code, 400, 'no Content-Type: 400');
        check($res->content, "expected an application/x-www-form-urlencoded body\n",
              'no Content-Type: a one-line reason');
        check(scalar(set_cookies($res)), 0, 'no Content-Type: no cookie');
    }
    # JSON errors when the client asks for JSON
    {
        my $res = post_form('/stepup/password', "csrf=%zz", basic('alice'),
                            Accept => 'application/json');
        my $j = json_of($res) || {};
        check($res->code, 400, 'a malformed body, JSON: 400');
        check(scalar $res->header('Content-Type'), 'application/json',
              'a malformed body, JSON: application/json');
        check(($j->{ok} ? 'true' : 'false') . ' ' . ($j->{error} || ''),
              'false malformed URL-encoding in the request body',
              'a malformed body, JSON: {"ok":false,"error":...}');
    }
    # a charset parameter is fine; exactly 8192 bytes is fine
    my $res = raw_post('/stepup/password', [ basic('alice'),
        'Content-Type' => "$FORM; charset=UTF-8" ], $good);
    check($res->code, 303, 'Content-Type with a charset: accepted');
    my $pad = 8192 - length($good) - 5;
    $res = post_form('/stepup/password', $good . '&pad=' . ('x' x $pad),
                     basic('alice'));
    check($res->code, 303, 'a body of exactly 8192 bytes: accepted');
}

# a chunked body over the limit, without Content-Length
{
    my $auth = 'Basic ' . encode_base64("alice:$PASSWORDS{alice}", '');
    my $chunk = 'x' x 4096;
    my $body = '';
    $body .= sprintf("%x\r\n%s\r\n", length $chunk, $chunk) for 1 .. 3;
    $body .= "0\r\n\r\n";
    my $s = IO::Socket::INET->new(PeerAddr => Apache::TestRequest::hostport(),
                                  Timeout => 10);
    my $resp = '';
    if ($s) {
        print $s "POST /stepup/password HTTP/1.1\r\n"
               . "Host: " . Apache::TestRequest::hostport() . "\r\n"
               . "Authorization: $auth\r\n"
               . "Content-Type: $FORM\r\n"
               . "Transfer-Encoding: chunked\r\n"
               . "Connection: close\r\n\r\n$body";
        local $/;
        $resp = <$s>;
        close $s;
    }
    check($resp =~ m{^HTTP/1\.1 (\d+)} ? $1 : "no answer: $resp", 413,
          'a chunked body of 12 KiB: 413');
    check($resp =~ /\r\n\r\nrequest body too large\n$/ ? 'reason' : $resp,
          'reason', 'a chunked body of 12 KiB: a one-line reason');
    check($resp =~ /^Set-Cookie:/mi ? 'cookie' : 'none', 'none',
          'a chunked body of 12 KiB: no cookie');
}

# ---- nothing changed: malformed bodies are no failed attempts --------------
{
    # bob: 5 malformed posts with a wrong password inside, then his own
    my $cb = csrf_mint(user => 'bob');
    for (1 .. 6) {
        post_form('/stepup/password', "csrf=$cb&password=wrong%zz", basic('bob'));
    }
    my $res = post_form('/stepup/password', [ csrf => csrf_mint(user => 'bob'),
        password => $PASSWORDS{bob} ], basic('bob'));
    check($res->code, 303, 'after 6 malformed bodies, the right password: 303 '
          . '(not counted as failures)');
    check(scalar(set_cookies($res)), 1, 'and the cookie');
}

# ---- the handler outside its URL, without a user ---------------------------
{
    my $off = log_offset();
    my $res = GET '/handler-misplaced/', basic('alice');
    check($res->code, 404, 'the handler outside StepupConfirmURL: 404');
    check(log_since($off), qr{STEPUP0102: the stepup handler serves /handler-misplaced/, outside StepupConfirmURL /stepup/},
          'the handler outside StepupConfirmURL: logged with both paths');
    $off = log_offset();
    $res = GET '/handler-nouser/';
    check($res->code, 403, 'the handler without authentication: 403');
    check(log_since($off), qr{STEPUP0103: no authenticated user at /handler-nouser/},
          'the handler without authentication: logged');
}

# ---- no secret reaches the error log ---------------------------------------
{
    my $off = log_offset();
    my $wrong = 'Wr0ng-Secret-Passw0rd-' . int(rand 1e9);
    my $csrf_a = page_csrf(GET('/stepup/', basic('alice'))->content);
    my $res1 = post_form('/stepup/password', [ csrf => $csrf_a,
        password => $wrong, return_to => '/log' ], basic('alice'));
    my $csrf_b = alice_csrf();
    my $res2 = post_form('/stepup/password', [ csrf => $csrf_b,
        password => $PASSWORDS{alice}, return_to => '/log' ], basic('alice'));
    my $tok = token_from($res2);
    # the token comes back to the handler and to a protected page
    my $res3 = GET '/stepup/status', basic('alice'), Cookie => "stepup=$tok";
    my $res4 = GET '/handler-protected/', basic('alice'), Cookie => "stepup=$tok";
    my $res5 = post_form('/stepup/drop', [ csrf => $csrf_b ], basic('alice'),
                         Cookie => "stepup=$tok");
    # a malformed body around a password
    my $res6 = post_form('/stepup/password',
        "csrf=$csrf_b&password=$wrong%zz", basic('alice'));
    check(join(' ', map { $_->code } $res1, $res2, $res3, $res4, $res5, $res6),
          '401 303 200 200 303 400', 'the requests whose secrets are sought');
    check(defined $tok && length $tok > 40 ? 'token' : 'none', 'token',
          'a token was issued');
    my $new = log_since($off);
    check($new, qr/STEPUP0100: user alice from 127\.0\.0\.1: step-up by password \(acr pwd\): failed: wrong password/,
          'the failure is logged');
    check($new, qr/STEPUP0100: user alice from 127\.0\.0\.1: step-up by password \(acr pwd\): ok/,
          'the success is logged');
    check($new, qr/STEPUP0110: user alice from 127\.0\.0\.1: step-up dropped/,
          'the drop is logged');
    my $all = error_log_text();
    my ($payload, $mac) = (split /\./, $tok || 'x.x.x.x')[2, 3];
    for my $c (
        [ 'the wrong password', $wrong ],
        [ 'alice\'s password', $PASSWORDS{alice} ],
        [ 'bob\'s password', $PASSWORDS{bob} ],
        [ 'the token', $tok ],
        [ 'the token\'s MAC', $mac ],
        [ 'the CSRF token of the page', $csrf_a ],
        [ 'the CSRF token posted', $csrf_b ],
    ) {
        my ($name, $secret) = @$c;
        my $n = defined $secret && length $secret
              ? () = $all =~ /\Q$secret\E/g : 'undefined';
        check($n, 0, "$name never appears in t/logs/error_log");
    }
}

done_testing();
