# SPDX-License-Identifier: Apache-2.0
# The user's passkeys: GET passkeys, POST passkeys/ rename and
# passkeys/delete (a recent step-up, only your own), status (the passkey
# count), GET manage (without a token strong enough: 303 to confirm at the
# level needed, except the federated bootstrap where on), and the confirm
# page's "Use passkey" button (only for a user who has passkeys), at
# /pk/stepup/ and /pk/pwonly/ (StepupMethods password). Users: max, mia
# (with passwords), finn (federated: no password).
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore plan done_testing need_module);
use Apache::TestRequest qw(GET POST);
use URI::Escape qw(uri_escape);
use StepupHandler ();
use StepupTest qw(check reset_ua hostport_url log_offset log_since);
use StepupToken qw(token_from);
use StepupClient qw(decoded err_of authn json_of csrf status post_json
                    register login_begin login passkeys wipe);
use PasskeyTest qw(pk_basic token_for strong_token site);
use SoftAuthn ();

plan need_module('stepup', 'auth_basic', 'authn_file', 'dbd',
                 'socache_shmcb');

reset_ua();

my $B = site('/pk/stepup/');

sub names {
    my ($u) = @_;
    return join ',', map { $_->{name} } @{ passkeys($B, $u) || [] };
}
sub count { my $l = passkeys($B, $_[0]); return $l ? scalar @$l : 'no list' }
sub change {
    my ($what, $user, $body, %o) = @_;
    return post_json($B, "passkeys/$what", $user, $body,
                     token => strong_token($user), %o);
}
sub page_of {
    my ($user, $path) = @_;
    return GET($path || "$B?return_to=%2Fpk%2Fprotected%2F", pk_basic($user),
               Accept => 'text/html');
}
my $PASSWORD_FIELD = qr/<input[^>]*type="password"/;
my $USE_PASSKEY = qr/<button[^>]*data-action="confirm"[^>]*>Use passkey</;

wipe($B, $_) for qw(max mia finn);

# ---- before any passkey ----------------------------------------------------
{
    my $st = status($B, 'max');
    check(join(' ', $st->{has_password} ? 'password' : 'none', $st->{passkeys}),
          'password 0', 'max: status has_password true, passkeys 0');
    my $r = GET("${B}passkeys", pk_basic('max'), Accept => 'application/json');
    check($r->code . ' ' . $r->content, qr/^200 \{"passkeys":\[\]\}\s*$/,
          'GET passkeys with none: 200 {"passkeys":[]}');
    check($r->header('Cache-Control') || '', qr/no-store/,
          'GET passkeys: Cache-Control no-store');
    my $p = page_of('max');
    check($p->code, 200, 'the confirm page for max: 200');
    check($p->content, $PASSWORD_FIELD, '... a password field');
    check($p->content =~ $USE_PASSKEY ? 'button' : 'no button', 'no button',
          '... no "Use passkey" (max has no passkey)');
    my ($b) = login_begin($B, 'max');
    check($b->code, 409, 'passkey/begin with no passkey: 409');
}

# ---- two passkeys for max, one for mia -------------------------------------
my $k1 = authn($B, alg => 'ES256');
my $k2 = authn($B, alg => 'RS256', be => 1, bs => 1, attestation => 'self');
my $km = authn($B, alg => 'EdDSA');
my $t0 = time;
# a second apart: "created" counts seconds, the list is oldest first
check(join(' ', register($k1, $B, 'max', name => 'Laptop')->code,
           (sleep(1) && register($k2, $B, 'max', name => 'Phone')->code),
           register($km, $B, 'mia', name => 'Mia key')->code),
      '200 200 200', 'setup: max registers two passkeys, mia one');
{
    my $list = passkeys($B, 'max') || [];
    check(scalar @$list, 2, 'GET passkeys: max has 2');
    my %by = map { $_->{id} => $_ } @$list;
    my $a = $by{ $k1->credential_id_b64 } || {};
    my $b = $by{ $k2->credential_id_b64 } || {};
    check(join(' ', map { defined $_ ? $_ : 'null' }
               $a->{name}, $a->{level}, $a->{synced} ? 'synced' : 'bound',
               $a->{last_used}),
          'Laptop phr bound null', 'the ES256 key: name, phr, device-bound, never used');
    check(join(' ', map { defined $_ ? $_ : 'null' }
               $b->{name}, $b->{level}, $b->{synced} ? 'synced' : 'bound',
               $b->{last_used}),
          'Phone phr synced null', 'the synced RS256 key: name, phr, synced, never used');
    check(($a->{created} || 0) >= $t0 - 1 && ($a->{created} || 0) <= time + 1
          ? 'now' : $a->{created}, 'now', 'created: seconds since the epoch, now');
    check(JSON::PP::is_bool($a->{synced}) ? 'boolean' : 'not boolean', 'boolean',
          'synced is a JSON boolean');
    check(names('max'), 'Laptop,Phone', 'the list is oldest first');
    check(join(' ', status($B, 'max')->{passkeys}, status($B, 'mia')->{passkeys}),
          '2 1', 'status: passkeys 2 for max, 1 for mia');
}

# ---- the confirm page with passkeys ----------------------------------------
{
    my $p = page_of('max');
    check($p->content, $USE_PASSKEY, 'the confirm page for max: "Use passkey"');
    check($p->content, $PASSWORD_FIELD, '... and still the password field');
    my $pw = page_of('max', "/pk/pwonly/?return_to=%2F");
    check($pw->content =~ $USE_PASSKEY ? 'button' : 'no button', 'no button',
          'StepupMethods password: no "Use passkey" even for max');
}

# ---- the federated user finn -----------------------------------------------
# No password, no passkey. /pk/stepup/ has no bootstrap: nothing to add a
# passkey with; /pk/boot/ (StepupMethods ... bootstrap) lets finn add one.
{
    my $p = page_of('finn');
    check($p->content =~ $PASSWORD_FIELD ? 'password' : 'no password',
          'no password', 'the confirm page for finn: no password field');
    check($p->content =~ $USE_PASSKEY ? 'button' : 'no button', 'no button',
          '... no "Use passkey"');
    check($p->content =~ /data-action="register"/ ? 'add button' : 'none',
          'none', '... no "Add a passkey" button without the bootstrap');
    check($p->content, qr/administrator/, '... says to ask the administrator');
    my $m = GET("${B}manage", pk_basic('finn'), Accept => 'text/html');
    check($m->code, 403, 'GET manage for finn (no password, no passkey) '
          . 'without a token nor the bootstrap: 403');
    $p = page_of('finn', '/pk/boot/?return_to=%2F');
    check($p->content, qr/data-action="register"[^>]*>Add a passkey</,
          'with the bootstrap: an "Add a passkey" button');
    $m = GET('/pk/boot/manage', pk_basic('finn'), Accept => 'text/html');
    check($m->code, 200, 'GET manage for finn without a token where the '
          . 'bootstrap is on: 200');
    check($m->content, qr/no passkeys yet/i, '... saying finn has no passkeys yet');
}

# ---- GET manage ------------------------------------------------------------
# The way back: the confirm page for a security key the user has not got
# links to manage?return_to=<where they were>; manage keeps return_to
# through its own step-up, then offers "Continue where you were".
{
    my $to = '/pk/phrh/pay?amount=10&to=<b>';
    my $page = GET("${B}?return_to=" . uri_escape($to) . '&acr=phrh',
                   pk_basic('max'), Accept => 'text/html');
    my ($link) = $page->content =~ /<a href="([^"]*manage[^"]*)">Manage passkeys/;
    check(defined $link ? 'link' : 'no link', 'link',
          'confirm page for acr=phrh without a security key: a Manage link');
    $link = StepupHandler::html_unescape($link || '');
    check(decoded($link), "${B}manage return_to=$to",
          '... to manage, return_to where the user was (escaped in the page)');
    my $r = GET($link, pk_basic('max'), Accept => 'text/html');
    check($r->code, 303, 'GET manage?return_to=... without a token: 303');
    my ($confirm, $acr) = decoded($r->header('Location'))
        =~ /return_to=(.*?)(?:&acr=(\w+))?$/;
    check(decoded($confirm || ''), "${B}manage return_to=$to",
          '... to confirm, which returns to manage with its return_to');
    check($acr || 'none', 'phr', '... at the level of the passkeys max has');
    $r = GET($link, pk_basic('max'), Accept => 'text/html',
             Cookie => 'stepup=' . strong_token('max'));
    my ($back) = $r->content =~ /<a href="([^"]*)">Continue where you were/;
    check(StepupHandler::html_unescape($back || 'none'), $to,
          'GET manage?return_to=... with a token: "Continue where you were" '
          . 'links back');
    check($r->content, qr/\Qto=&lt;b&gt;\E/, '... escaped in the page');
    for my $bad ('//evil.example/', 'https://evil.example/', 'javascript:x') {
        $r = GET("${B}manage?return_to=" . uri_escape($bad), pk_basic('max'),
                 Accept => 'text/html', Cookie => 'stepup=' . strong_token('max'));
        check(join(' ', $r->code, $r->content =~ /Continue where you were/
                   ? 'link' : 'no link'), '200 no link',
              "manage?return_to=$bad: no link off the site");
    }
    $r = GET("${B}manage", pk_basic('max'), Accept => 'text/html',
             Cookie => 'stepup=' . strong_token('max'));
    check($r->content =~ /Continue where you were/ ? 'link' : 'no link',
          'no link', 'manage without return_to: no Continue link');
}
{
    my $r = GET("${B}manage", pk_basic('max'), Accept => 'text/html');
    check($r->code, 303, 'GET manage without a token: 303');
    check(decoded($r->header('Location')),
          hostport_url("${B}") . ' return_to=/pk/stepup/manage&acr=phr',
          '... to the confirm page at phr (max has passkeys), return_to the '
          . 'manage page');
    check($r->content =~ /Laptop/ ? 'listed' : 'not listed', 'not listed',
          '... and the list is not shown');
    $r = GET("${B}manage", pk_basic('max'), Accept => 'text/html',
             Cookie => 'stepup=' . strong_token('max', auth_time => time - 400));
    check($r->code, 303, 'GET manage with a token older than StepupMaxAge: 303');
    $r = GET("${B}manage", pk_basic('max'), Accept => 'text/html',
             Cookie => 'stepup=' . strong_token('max'));
    check($r->code, 200, 'GET manage with a token: 200');
    check($r->header('Content-Type') || '', qr{^text/html}, '... HTML');
    my $html = $r->content;
    check(join(' ', $html =~ /Laptop/ ? 'Laptop' : '-', $html =~ /Phone/ ? 'Phone' : '-',
               $html =~ /Mia key/ ? 'Mia' : '-'),
          'Laptop Phone -', "... max's passkeys, not mia's");
    my @remove = $html =~ /(action="[^"]*passkeys\/delete")/g;
    check(scalar @remove, 2, '... two Remove forms');
    check($html, qr/value="\Q${\ $k1->credential_id_b64 }\E"/,
          '... the forms carry the credential ids');
    check($html, qr/Add a passkey/, '... an "Add a passkey" button');
}

# ---- rename ----------------------------------------------------------------
{
    my $id = $k1->credential_id_b64;
    my $r = post_json($B, 'passkeys/rename', 'max', { id => $id, name => 'X' });
    check($r->code, 401, 'rename without a token: 401');
    check(err_of($r), qr/confirm your identity/i, '... reason: confirm first');
    $r = change('rename', 'max', { id => $id, name => 'Work laptop' }, csrf => undef);
    check($r->code, 403, 'rename without X-Stepup-CSRF: 403');
    $r = change('rename', 'max', { id => $id, name => 'Work laptop' },
                headers => [ Origin => 'http://evil.example' ]);
    check($r->code, 403, 'rename with a cross-origin Origin: 403');
    check(names('max'), 'Laptop,Phone', '... nothing renamed');
    $r = change('rename', 'max', { id => $id, name => 'Work laptop' });
    check($r->code . ' ' . $r->content, qr/^200 \{"ok":true\}/, 'rename with a token: 200 ok');
    check(names('max'), 'Work laptop,Phone', 'the list shows the new name');
    $r = change('rename', 'max', { id => $km->credential_id_b64, name => 'Mine now' });
    check($r->code, 404, "max renaming mia's passkey: 404");
    check(names('mia'), 'Mia key', "... mia's name unchanged");
    $r = change('rename', 'max', { id => $id, name => '' });
    check($r->code, 400, 'rename to an empty name: 400');
    $r = change('rename', 'max', { id => $id, name => 'n' x 65 });
    check($r->code, 400, 'rename to 65 bytes: 400');
    check(names('max'), 'Work laptop,Phone', '... the name kept');
    # a form (the manage page's) with a name that is not UTF-8
    $r = POST("${B}passkeys/rename", pk_basic('max'),
              Cookie => 'stepup=' . strong_token('max'), Accept => 'application/json',
              'Content-Type' => 'application/x-www-form-urlencoded',
              content => "csrf=" . csrf($B, 'max') . "&id=$id&name=%FF%FEbad");
    check($r->code, 400, 'rename to a name that is not UTF-8: 400');
    check(names('max'), 'Work laptop,Phone',
          '... GET passkeys still lists both, the name kept');
    # control characters: registration turns them into spaces, and a
    # rename should not store them either (refused or cleaned)
    $r = change('rename', 'max', { id => $id, name => "Work\nlap\x1b[31mtop" });
    my ($now) = grep { $_->{id} eq $id } @{ passkeys($B, 'max') || [] };
    my $stored = ($now || {})->{name};
    check(defined $stored && $stored =~ /[\x00-\x1f\x7f]/ ? 'control characters stored'
          : 'none stored', 'none stored',
          'rename with a newline and an escape: no control character stored ('
          . $r->code . ')');
    change('rename', 'max', { id => $id, name => 'Work laptop' });
    # markup in a name is text on the manage page
    $r = change('rename', 'max', { id => $id, name => '<b>Work</b> "laptop"' });
    my $m = GET("${B}manage", pk_basic('max'), Cookie => 'stepup=' . strong_token('max'));
    check($m->content =~ /<b>Work/ ? 'markup' : 'escaped', 'escaped',
          'a name with markup: escaped on the manage page');
    check($m->content, qr/&lt;b&gt;Work&lt;\/b&gt; (&quot;|&#34;)laptop/,
          '... shown as text');
    change('rename', 'max', { id => $id, name => 'Work laptop' });
}

# ---- delete ----------------------------------------------------------------
{
    my $id2 = $k2->credential_id_b64;
    my $r = post_json($B, 'passkeys/delete', 'max', { id => $id2 });
    check($r->code, 401, 'delete without a token: 401');
    check(count('max'), 2, '... still 2');
    $r = change('delete', 'max', { id => $id2 }, csrf => undef);
    check($r->code, 403, 'delete without X-Stepup-CSRF: 403');
    $r = change('delete', 'max', { id => $id2 }, headers => [ Origin => 'null' ]);
    check($r->code, 403, 'delete with Origin: null: 403');
    $r = change('delete', 'max', { id => $id2 }, token => strong_token('mia'));
    check($r->code, 401, "delete with mia's token: 401");
    check(count('max'), 2, '... still 2');
    $r = change('delete', 'max', { id => $km->credential_id_b64 });
    check($r->code, 404, "max deleting mia's passkey: 404");
    check(count('mia'), 1, "... mia's passkey is still there");
    $r = change('delete', 'max', { id => "x' OR '1'='1" });
    check($r->code . ' ' . count('max') . ' ' . count('mia'), '404 2 1',
          'delete with an id full of quotes: 404, nothing deleted');
    $r = change('delete', 'max', {});
    check($r->code . ' ' . err_of($r), qr/^400 .*"id"/, 'delete without an id: 400 naming "id"');
    my $off = log_offset();
    $r = change('delete', 'max', { id => $id2 });
    check($r->code . ' ' . $r->content, qr/^200 \{"ok":true\}/, 'delete with a token: 200 ok');
    check(log_since($off), qr/STEPUP0080: user max from \S+: passkey \Q$id2\E removed/,
          '... logged');
    check(names('max'), 'Work laptop', 'the list has the other one only');
    check(status($B, 'max')->{passkeys}, 1, 'status: passkeys 1');
    $r = change('delete', 'max', { id => $id2 });
    check($r->code, 404, 'delete again: 404');
    # the deleted passkey no longer confirms
    $r = login($k2, $B, 'max');
    check($r->code . ' ' . (token_from($r) ? 'cookie' : 'no cookie'),
          '400 no cookie', 'the deleted passkey no longer confirms');
    # the manage page's form: form body, csrf field, 303 back to manage
    my $id1 = $k1->credential_id_b64;
    $r = POST("${B}passkeys/delete", pk_basic('max'),
              Cookie => 'stepup=' . strong_token('max'),
              'Content-Type' => 'application/x-www-form-urlencoded',
              content => "csrf=" . csrf($B, 'max') . "&id=$id1");
    check($r->code . ' ' . ($r->header('Location') || ''),
          '303 ' . hostport_url("${B}manage?done=removed"),
          'delete by the manage form: 303 to manage?done=removed');
}

# ---- after deleting every passkey ------------------------------------------
{
    check(count('max'), 0, 'max has no passkey left');
    check(status($B, 'max')->{passkeys}, 0, 'status: passkeys 0');
    my $p = page_of('max');
    check($p->content =~ $USE_PASSKEY ? 'button' : 'no button', 'no button',
          'the confirm page: no "Use passkey" any more');
    my ($b) = login_begin($B, 'max');
    check($b->code, 409, 'passkey/begin: 409 again');
    # max has a password: no bootstrap, manage still wants a step-up
    my $r = GET("${B}manage", pk_basic('max'), Accept => 'text/html');
    check($r->code, 303, 'GET manage for max without passkeys nor token: 303 '
          . '(max has a password)');
    # mia's passkey was never touched
    check(names('mia'), 'Mia key', "mia's passkey is intact");
    check(login($km, $B, 'mia')->code, 200, 'and still confirms mia');
}

# ---- StepupMethods password ------------------------------------------------
{
    my $r = GET('/pk/pwonly/passkeys', pk_basic('mia'), Accept => 'application/json');
    check($r->code, 403, 'StepupMethods password: GET passkeys 403');
    my $pwonly = site('/pk/pwonly/');
    ($r) = login_begin($pwonly, 'mia', csrf => csrf($pwonly, 'mia'));
    check($r->code, 403, 'StepupMethods password: passkey/begin 403');
    check(status($pwonly, 'mia')->{passkeys}, 0,
          'StepupMethods password: status passkeys 0');
}

# ---- a browser sent to the confirm page ------------------------------------
{
    my $r = GET('/pk/protected/', pk_basic('mia'), 'Sec-Fetch-Mode' => 'navigate',
                Accept => 'text/html');
    check($r->code . ' ' . decoded($r->header('Location')),
          '302 ' . hostport_url('/pk/stepup/') . ' return_to=/pk/protected/',
          '/pk/protected/ without a token: 302 to /pk/stepup/');
    my $ok = login($km, $B, 'mia', return_to => '/pk/protected/');
    my $t = token_from($ok);
    $r = GET('/pk/protected/', pk_basic('mia'), Cookie => "stepup=$t");
    check($r->code . ' ' . ($r->content =~ /pk-protected-page/ ? 'page' : 'no page'),
          '200 page', 'with the passkey token: the page');
}

done_testing();
