# SPDX-License-Identifier: Apache-2.0
# The Confirm access page (GET StepupConfirmURL): what a user with a
# password, a federated user (StepupHasPassword says he has none) and a
# location needing a passkey see; the CSRF token and return_to it carries;
# escaping; StepupTemplate; StepupMethods; the page's own script and style.
#   /stepup/               every default (alice, bob: file provider)
#   /handler-alias/        StepupAuthnProvider stepup_alias (carol known),
#                          StepupHasPassword: fred has none (federated)
#   /handler-template/     StepupTemplate conf/stepup/handler-template.html
#   /handler-passkey-only/ StepupMethods passkey
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore plan done_testing need_module have_module);
use Apache::TestRequest qw(GET HEAD);
use StepupTest qw(check basic reset_ua secret);
use StepupHandler qw(%USERS csrf_mint page_field page_csrf html_unescape);
use StepupToken ();

plan need_module('stepup', 'auth_basic', 'authn_file',
                 'authn_core');

reset_ua();

# Without mod_dbd there is no passkey store (passkeys are stored through
# mod_dbd): a user without a password has no way to confirm. With
# it (t/conf/passkey.conf.in), such a user is offered to register one. The
# users here never register passkeys: no "Use passkey" either way (and
# t/handler_cache.t checks a server without mod_dbd).
my $DBD = have_module('dbd');

sub hbasic {
    my ($user) = @_;
    return basic($user, $USERS{$user});
}

# A CSRF token of $user, minted by the server just now with k1
# (the signing key), verified against an independent computation.
sub csrf_checks {
    my ($csrf, $user, $name) = @_;
    $csrf = '' unless defined $csrf;
    my ($kid, $issued, $mac) = split /\./, $csrf, 3;
    check($kid, 'k1', "$name: the CSRF token is signed with k1 (the first key)");
    check(defined $issued && $issued =~ /^\d+$/
          && abs($issued - time) <= 5 ? 'now' : $issued, 'now',
          "$name: the CSRF token was issued now");
    check($csrf, csrf_mint(user => $user, issued => $issued || 0),
          "$name: the CSRF token is HMAC-SHA256(k1, \"csrf|<issued>|$user\")");
}

# The page's text outside its tags.
sub text_of {
    my ($html) = @_;
    (my $t = $html) =~ s/<[^>]*>//g;
    return html_unescape($t);
}

# ---- a user with a password: alice at /stepup/ -----------------------------
my $alice_page;
{
    my $res = GET '/stepup/?return_to=%2Faccount%2Fsettings%3Ftab%3Dsecurity',
        basic('alice');
    my $html = $alice_page = $res->content;
    check($res->code, 200, 'password user: 200');
    check(scalar $res->header('Content-Type'), 'text/html; charset=utf-8',
          'password user: text/html; charset=utf-8');
    check(scalar(() = $html =~ m{<title>Confirm access</title>}g), 1,
          'password user: the title is "Confirm access"');
    check($html, qr{<h1 id="title">Confirm access</h1>},
          'password user: the heading is "Confirm access"');
    check($html, qr{Signed in as <strong>alice</strong>},
          'password user: says who is signed in');
    check(scalar(() = $html =~ /<form method="post" action="\/stepup\/password" class="method">/g),
          1, 'password user: one form, posting to /stepup/password');
    check(scalar(() = $html =~ /<input id="password" name="password" type="password" autocomplete="current-password" required autofocus aria-describedby="why">/g),
          1, 'password user: one password field, for the current password');
    check(scalar(() = $html =~ m{<button type="submit">Verify</button>}g),
          1, 'password user: a "Verify" button');
    check(html_unescape(page_field($html, 'return_to')),
          '/account/settings?tab=security',
          'password user: the form carries return_to');
    csrf_checks(page_csrf($html), 'alice', 'password user');
    check(scalar(() = $html =~ /name="csrf"/g), 1,
          'password user: one csrf field');
    check($html, qr{<input type="text" name="username" value="alice" autocomplete="username" readonly hidden>},
          'password user: the account name for password managers');
    check($html =~ /role="alert"|class="error"/ ? 'error line' : 'none',
          'none', 'password user: no error line on a fresh page');
    # alice has no passkey (no store without mod_dbd, none registered with)
    check($html =~ /Use passkey/ ? 'Use passkey' : 'none', 'none',
          'password user without passkeys: no "Use passkey" button');
    check($html =~ /data-action=/ ? 'passkey button' : 'none', 'none',
          'password user without passkeys: no passkey button at all');
    check($html, qr{<link rel="stylesheet" href="/stepup/stepup\.css">},
          'password user: the style from StepupConfirmURL');
    check($html, qr{<script src="/stepup/stepup\.js" defer></script>},
          'password user: the script from StepupConfirmURL');
    my @inline = grep { !/\bsrc="/ } $html =~ /(<script\b[^>]*>)/g;
    check(scalar(@inline), 0, 'password user: no inline <script> (CSP)');
    check($html =~ /\son[a-z]+\s*=|<style\b|\sstyle\s*=|javascript:/i
          ? "inline code: $&" : 'none', 'none',
          'password user: no event handler attributes, inline styles or '
          . 'javascript: URLs (CSP)');
    check($html, qr/^<!DOCTYPE html>\n<html lang="en">/,
          'password user: an HTML5 document');

    # HEAD: the same answer without a body
    my $head = HEAD '/stepup/', basic('alice');
    check($head->code, 200, 'HEAD of the page: 200');
    check(length($head->content), 0, 'HEAD of the page: no body');
}

# ---- a second request gets a token for its own user ------------------------
{
    my $res = GET '/stepup/', basic('bob');
    csrf_checks(page_csrf($res->content), 'bob', 'bob\'s page');
}

# ---- a federated user: fred at /handler-alias/ -----------------------------
{
    my $res = GET '/handler-alias/?return_to=%2Fx', hbasic('fred');
    my $html = $res->content;
    check($res->code, 200, 'federated user: 200');
    check($html, qr{<h1 id="title">Confirm access</h1>},
          'federated user: the "Confirm access" page');
    check($html, qr{Signed in as <strong>fred</strong>},
          'federated user: says who is signed in');
    check($html =~ /type="password"/ ? 'password field' : 'none', 'none',
          'federated user: no password field');
    check($html =~ /action="[^"]*password"/ ? 'password form' : 'none',
          'none', 'federated user: no password form');
    check($html =~ />Verify</ ? 'Verify' : 'none', 'none',
          'federated user: no "Verify" button');
    check($html =~ /Use passkey/ ? 'Use passkey' : 'none', 'none',
          'federated user: no "Use passkey" button (no passkeys)');
    if ($DBD) {
        # no bootstrap here (StepupMethods does not name it)
        check($html =~ /data-action="register"/ ? 'register button' : 'none',
              'none', 'federated user: no "Add a passkey" without the bootstrap');
        check(text_of($html), qr/no password on this site and no passkey yet/,
              'federated user: told they have no password nor passkey');
        check(text_of($html), qr/Ask them for help/,
              'federated user: told to ask the site\'s administrator');
    }
    else {
        check($html =~ /data-action=/ ? 'passkey button' : 'none', 'none',
              'federated user without mod_dbd: no passkey button');
        check(text_of($html),
              qr/Your account has no password on this site and passkeys are not available here, so there is no way to confirm your identity\./,
              'federated user without mod_dbd: told there is no way to '
              . 'confirm here');
        check(text_of($html), qr/Ask the site's administrator for help\./,
              'federated user without mod_dbd: told whom to ask');
    }
}

# ---- the same provider knows carol: she has a password there ---------------
{
    my $res = GET '/handler-alias/', hbasic('carol');
    check($res->code, 200, 'alias provider, known user: 200');
    check($res->content, qr{<form method="post" action="/handler-alias/password" class="method">},
          'alias provider, known user: the password form, posting below '
          . 'StepupConfirmURL /handler-alias/');
    check($res->content, qr/<input id="password" name="password" type="password"/,
          'alias provider, known user: a password field');
}

# ---- a level above pwd: acr=phr and acr=phrh -------------------------------
for my $c ([phr => 'a passkey'], [phrh => 'a hardware security key']) {
    my ($acr, $what) = @$c;
    my $res = GET "/stepup/?return_to=%2Fpay&acr=$acr", basic('alice');
    my $html = $res->content;
    my $text = text_of($html);
    check($res->code, 200, "acr=$acr: 200");
    check($html =~ /type="password"|>Verify</ ? 'password method' : 'none',
          'none', "acr=$acr: no password method (a password is not enough)");
    check($text, qr/This action needs a confirmation with \Q$what\E; a password is not enough\./,
          "acr=$acr: says why");
    check($text =~ /\bno a\b/ ? "ungrammatical: \"$&\" in \""
          . ($text =~ /(You have no[^.]*\.)/ ? $1 : '') . '"' : 'ok', 'ok',
          "acr=$acr: the text saying none is registered reads correctly");
}

# an unknown level asks for the least: the password form
{
    my $res = GET '/stepup/?acr=bogus', basic('alice');
    check($res->code, 200, 'acr=bogus: 200');
    check($res->content, qr/<input id="password" name="password" type="password"/,
          'acr=bogus: treated as pwd, the password form');
}

# ---- return_to: only a local path, else "/" --------------------------------
{
    my @cases = (
        # [ name, raw query value (already %-encoded), expected ]
        [ 'absent',                undef,                         '/' ],
        [ 'empty',                 '',                            '/' ],
        [ 'a local path',          '%2Fdocs%2Fa.html',            '/docs/a.html' ],
        [ 'a path and a query',    '%2Fa%3Fx%3D1%26y%3D%252F',    '/a?x=1&y=%2F' ],
        [ 'a fragment',            '%2Fa%23top',                  '/a#top' ],
        [ '//host',                '%2F%2Fevil.example%2Fx',      '/' ],
        [ '///host',               '%2F%2F%2Fevil.example',       '/' ],
        [ 'https://host',          'https%3A%2F%2Fevil.example%2F', '/' ],
        [ 'http://host',           'http%3A%2F%2Fevil.example',   '/' ],
        [ '/\\host',               '%2F%5Cevil.example',          '/' ],
        [ '\\\\host',              '%5C%5Cevil.example',          '/' ],
        [ 'a backslash further in', '%2Fa%5C..%5Cb',              '/' ],
        [ 'javascript:',           'javascript%3Aalert(1)',       '/' ],
        [ 'CR/LF',                 '%2Fok%0D%0ASet-Cookie%3A%20x%3D1', '/' ],
        [ 'LF',                    '%2Fok%0Ax',                   '/' ],
        [ 'TAB',                   '%2F%09%2Fevil.example',       '/' ],
        [ 'a space',               '%2Fa%20b',                    '/' ],
        [ 'a relative path',       'account',                     '/' ],
        [ 'non-ASCII',             '%2Fcaf%C3%A9',                '/' ],
    );
    for my $c (@cases) {
        my ($name, $q, $want) = @$c;
        my $url = defined $q ? "/stepup/?return_to=$q" : '/stepup/';
        my $res = GET $url, basic('alice');
        check($res->code, 200, "page, return_to $name: 200");
        check(html_unescape(page_field($res->content, 'return_to')), $want,
              "page, return_to $name: the form carries \"$want\"");
    }
}

# the longest accepted return_to is 2048 bytes (include/stepup_returnto.h)
{
    my $long = '/' . ('a' x 2047);
    my $res = GET "/stepup/?return_to=$long", basic('alice');
    check(html_unescape(page_field($res->content, 'return_to')), $long,
          'page, return_to of 2048 bytes: kept');
    $res = GET "/stepup/?return_to=${long}b", basic('alice');
    check(html_unescape(page_field($res->content, 'return_to')), '/',
          'page, return_to of 2049 bytes: "/"');
}

# ---- escaping: a user name and a return_to with HTML in them ---------------
{
    my $user = q{x<b>&"'y};
    my $rt = q{/a"><script>alert(1)</script>};
    my $res = GET '/handler-secure/?return_to=%2Fa%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E',
        hbasic($user);
    my $html = $res->content;
    check($res->code, 200, 'HTML in the user name: 200');
    check($html, qr{Signed in as <strong>x&lt;b&gt;&amp;&quot;&#39;y</strong>},
          'HTML in the user name: escaped in the page, \' as &#39;');
    check($html =~ /x<b>|"'y|'y/ ? 'raw' : 'escaped', 'escaped',
          'HTML in the user name: never raw');
    check(html_unescape(page_field($html, 'return_to')), $rt,
          'HTML in return_to: a local path, kept and escaped in the form');
    check($html =~ /<script>alert|"><script/ ? 'raw' : 'escaped', 'escaped',
          'HTML in return_to: never raw');
    check(page_csrf($html), csrf_mint(user => $user,
          issued => (split /\./, page_csrf($html) || '')[1] || 0),
          'HTML in the user name: the CSRF token is the raw name\'s');
}

# ---- StepupTemplate: a custom page with every placeholder ------------------
{
    my $res = GET '/handler-template/?return_to=%2Fr%3Fa%3D1%26b%3D2',
        hbasic('carol');
    my $html = $res->content;
    check($res->code, 200, 'StepupTemplate: 200');
    check($html, qr{^<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Confirm access \| Example Corp</title>\n},
          'StepupTemplate: the custom page, {{title}} in the <title>');
    check($html, qr{<h1 id="corp-title">Confirm access</h1>},
          'StepupTemplate: {{title}} used twice');
    check($html, qr{<p id="corp-user">\[carol\]</p>}, 'StepupTemplate: {{user}}');
    check($html, qr{<div id="corp-error"></div>},
          'StepupTemplate: {{error}} empty without an error');
    check($html, qr{<div id="corp-methods"><form method="post" action="/handler-template/password" class="method">},
          'StepupTemplate: {{methods}}, the password form posting below '
          . 'its StepupConfirmURL');
    check($html, qr{<link rel="stylesheet" href="/handler-template/stepup\.css">},
          'StepupTemplate: {{base}} is StepupConfirmURL');
    check($html, qr{<p id="corp-return">\[/r\?a=1&amp;b=2\]</p>},
          'StepupTemplate: {{return_to}}, escaped');
    my ($csrf) = $html =~ m{<p id="corp-csrf">\[([^\]]*)\]</p>};
    check($csrf, page_csrf($html),
          'StepupTemplate: {{csrf}} is the form\'s token');
    csrf_checks($csrf, 'carol', 'StepupTemplate');
    check($html, qr{<p id="corp-braces">\{ single \} \{not a placeholder\} \}\} end</p>},
          'StepupTemplate: braces that are not placeholders stay as written');
}

# ---- StepupMethods passkey: no password method -----------------------------
{
    my $res = GET '/handler-passkey-only/', hbasic('carol');
    my $html = $res->content;
    check($res->code, 200, 'StepupMethods passkey: 200');
    check($html =~ /type="password"/ ? 'password field' : 'none', 'none',
          'StepupMethods passkey: no password field, though carol has one');
    check($html =~ /action="[^"]*password"/ ? 'password form' : 'none',
          'none', 'StepupMethods passkey: no password form');
    check($html, qr{<h1 id="title">Confirm access</h1>},
          'StepupMethods passkey: still the Confirm access page');
}

# ---- the page's script and style, served by the module ---------------------
for my $c (['stepup.js', 'text/javascript; charset=utf-8', qr/navigator\.credentials/],
           ['stepup.css', 'text/css; charset=utf-8', qr/\{[^}]*\}/]) {
    my ($file, $type, $body_re) = @$c;
    my $res = GET "/stepup/$file", basic('alice');
    check($res->code, 200, "$file: 200");
    check(scalar $res->header('Content-Type'), $type, "$file: $type");
    check($res->content, $body_re, "$file: its content");
    check(scalar $res->header('Content-Length'), length($res->content),
          "$file: Content-Length is the body's length");
}

done_testing();
