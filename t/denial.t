# SPDX-License-Identifier: Apache-2.0
# What a client without a valid step-up token sees (src/httpd/denial.c):
#   no r->user                   -> the primary authentication's own 401
#   browser navigation (GET/HEAD) -> 302 to StepupConfirmURL?return_to=...
#   a form post (a navigation with a body) -> 303, parked (resume=ID)
#   anything else                -> 401, RFC 9470 Bearer challenge, JSON body
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore plan done_testing need_module);
use Apache::TestRequest qw(GET HEAD POST);
use JSON::PP ();
use URI;
use StepupTest qw(check basic reset_ua hostport_url);

plan need_module('stepup', 'auth_basic', 'authn_file');

reset_ua();

my $SAFARI_ACCEPT =
    'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
my $CHROME_ACCEPT = 'text/html,application/xhtml+xml,application/xml;'
                  . 'q=0.9,image/avif,image/webp,*/*;q=0.8';

sub challenge_re {
    my ($acr, $max_age) = @_;
    return qr/^Bearer error="insufficient_user_authentication", error_description="[^"\\]+", acr_values="\Q$acr\E", max_age=\Q$max_age\E$/;
}

sub www_auth { my @v = $_[0]->header('WWW-Authenticate'); return @v }

# The query parameters of a URL (decoded), and its path.
sub url_parts {
    my ($url) = @_;
    my $u = URI->new($url);
    my @pairs = $u->query_form;
    my %q;
    my @names;
    while (my ($k, $v) = splice @pairs, 0, 2) {
        push @names, $k;
        $q{$k} = $v;
    }
    return ($u, \%q, join(',', @names));
}

# An API client's 401 (RFC 9470 header, JSON body, no Basic).
sub api_checks {
    my ($res, $name, %e) = @_;
    my $acr     = $e{acr} || 'pwd';
    my $max_age = $e{max_age} || 300;
    my $confirm = $e{confirm} || '/stepup/';
    my @wa = www_auth($res);

    check($res->code, 401, "$name: 401");
    check(scalar(@wa) . ' ' . ($wa[0] || ''), qr/^1 /,
          "$name: exactly one WWW-Authenticate (no Basic beside it)");
    check($wa[0] || '', challenge_re($acr, $max_age),
          "$name: RFC 9470 Bearer challenge, acr_values=\"$acr\", "
          . "max_age=$max_age");
    check(scalar(grep { /^\s*Basic/i } @wa), 0,
          "$name: no Basic challenge");
    check($res->header('Content-Type') || '', qr{^application/json\b},
          "$name: Content-Type application/json");
    check($res->header('Cache-Control') || '', qr/\bno-store\b/,
          "$name: Cache-Control no-store");
    my $body = eval { JSON::PP->new->decode($res->content) };
    check(ref($body) eq 'HASH' ? ($body->{error} || '') : "not JSON: "
          . $res->content, 'insufficient_user_authentication',
          "$name: JSON body with error");
    my $cu = ref($body) eq 'HASH' ? ($body->{confirm_url} || '') : '';
    my ($u, $q, $names) = url_parts($cu);
    check(join(' ', $u->path, $names, $q->{return_to} || '',
               $q->{acr} || '-'),
          join(' ', $confirm, $e{acr} ? 'return_to,acr' : 'return_to',
               $e{return_to}, $e{acr} || '-'),
          "$name: confirm_url is $confirm?return_to=<the request>");
}

# A browser navigation's 302 to the confirm page.
sub nav_checks {
    my ($res, $name, %e) = @_;
    my $confirm = $e{confirm} || '/stepup/';
    my $loc = $res->header('Location') || '';
    my ($u, $q, $names) = url_parts($loc);

    check($res->code, 302, "$name: 302");
    check(substr($loc, 0, length(hostport_url("$confirm?return_to="))),
          hostport_url("$confirm?return_to="),
          "$name: Location is the absolute URL of $confirm?return_to=");
    check($q->{return_to}, $e{return_to},
          "$name: return_to decodes to the original path and query");
    check($names, $e{acr} ? 'return_to,acr' : 'return_to',
          "$name: no other parameter" . ($e{acr} ? ' than acr' : ''));
    check(scalar(www_auth($res)), 0, "$name: no WWW-Authenticate");
    check($res->header('Cache-Control') || '', qr/\bno-store\b/,
          "$name: Cache-Control no-store");
}

# ---- no user: the primary authentication answers ---------------------------
for my $case (
    [ 'no user, API', GET => [ Accept => 'application/json' ] ],
    [ 'no user, navigation',
      GET => [ 'Sec-Fetch-Mode' => 'navigate', Accept => $CHROME_ACCEPT ] ],
    [ 'wrong password, API',
      GET => [ basic('alice', 'not-her-password'),
               Accept => 'application/json' ] ],
) {
    my ($name, $method, $headers) = @$case;
    my $res = GET '/denial/', @$headers;
    my @wa = www_auth($res);
    check($res->code, 401, "$name: 401");
    check(join(' | ', @wa), qr/^Basic realm="stepup tests"$/,
          "$name: WWW-Authenticate Basic (the primary authentication)");
    check(scalar(grep { /Bearer/ } @wa), 0, "$name: no Bearer challenge");
    check(scalar $res->header('Location'), undef, "$name: no redirect");
}

# ---- API requests: 401 + RFC 9470 + JSON -----------------------------------
api_checks(GET('/denial/', basic('alice')),
           'GET without Accept', return_to => '/denial/');
api_checks(GET('/denial/', basic('alice'), Accept => 'application/json'),
           'GET Accept: application/json', return_to => '/denial/');
api_checks(GET('/denial/', basic('alice'), 'Sec-Fetch-Mode' => 'cors',
               Accept => '*/*'),
           'GET Sec-Fetch-Mode: cors', return_to => '/denial/');
api_checks(GET('/denial/', basic('alice'), 'Sec-Fetch-Mode' => 'cors',
               Accept => $CHROME_ACCEPT),
           'GET Sec-Fetch-Mode: cors + Accept text/html',
           return_to => '/denial/');
api_checks(GET('/denial/', basic('alice'), 'Sec-Fetch-Mode' => 'no-cors',
               'Sec-Fetch-Dest' => 'image', Accept => $CHROME_ACCEPT),
           'GET Sec-Fetch-Mode: no-cors + Accept text/html',
           return_to => '/denial/');

# ---- a form post: parked, 303 to the confirm page with resume (t/resume.t) -
{
    my $res = POST('/denial/', basic('alice'), 'Sec-Fetch-Mode' => 'navigate',
                   Accept => $CHROME_ACCEPT,
                   'Content-Type' => 'application/x-www-form-urlencoded',
                   content => 'amount=1000');
    my ($u, $q, $names) = url_parts($res->header('Location') || '');
    check($res->code, 303, 'POST Sec-Fetch-Mode: navigate: 303');
    check($names, 'return_to,resume', '... to the confirm page with '
          . 'return_to and resume');
    check($q->{resume}, qr/^[A-Za-z0-9_-]{22}$/, '... resume is an id');
    check(scalar(www_auth($res)), 0, '... no WWW-Authenticate');
}

# ---- browser navigations: 302 to the confirm page --------------------------
nav_checks(GET('/denial/', basic('alice'), 'Sec-Fetch-Mode' => 'navigate',
               'Sec-Fetch-Dest' => 'document', Accept => $CHROME_ACCEPT),
           'GET Sec-Fetch-Mode: navigate', return_to => '/denial/');
nav_checks(GET('/denial/', basic('alice'), Accept => $SAFARI_ACCEPT),
           'GET without Sec-Fetch-*, Accept text/html (old Safari)',
           return_to => '/denial/');
nav_checks(HEAD('/denial/', basic('alice'), 'Sec-Fetch-Mode' => 'navigate',
                Accept => $CHROME_ACCEPT),
           'HEAD Sec-Fetch-Mode: navigate', return_to => '/denial/');
nav_checks(GET('/denial/', basic('alice'), 'Sec-Fetch-Mode' => 'navigate',
               'Sec-Fetch-Dest' => 'iframe', Accept => '*/*'),
           'GET Sec-Fetch-Mode: navigate into a frame, Accept */*',
           return_to => '/denial/');

# ---- return_to keeps the path and query exactly ----------------------------
{
    my $target = '/denial/caf%C3%A9%20menu.html'
               . '?a=1&b=x%3Dy&c=&d=%26&e=%2B+f&g=a=b';
    nav_checks(GET($target, basic('alice'), 'Sec-Fetch-Mode' => 'navigate',
                   Accept => $CHROME_ACCEPT),
               'navigation to a path with %-escapes and a query with & and =',
               return_to => $target);
    api_checks(GET($target, basic('alice'), Accept => 'application/json'),
               'API request to a path with %-escapes and a query',
               return_to => $target);
    # an encoded '?' and '#' in the path: decoded, they would change
    # which resource the user is sent back to
    my $qmark = '/denial/what%3Fis%23this.html';
    nav_checks(GET($qmark, basic('alice'), 'Sec-Fetch-Mode' => 'navigate',
                   Accept => $CHROME_ACCEPT),
               'navigation to a path with an encoded ? and #',
               return_to => $qmark);
    my $deep = '/denial/a/b/c.html?next=%2Fx%3Fy%3D1';
    nav_checks(GET($deep, basic('alice'), Accept => $SAFARI_ACCEPT),
               'navigation to a deeper path with an encoded URL in the query',
               return_to => $deep);
}

# ---- acr=phr: &acr=phr, acr_values="phr" -----------------------------------
{
    my $res = GET '/denial-phr/', basic('alice'),
        'Sec-Fetch-Mode' => 'navigate', Accept => $CHROME_ACCEPT;
    nav_checks($res, 'acr=phr location, navigation',
               return_to => '/denial-phr/', acr => 'phr');
    check($res->header('Location') || '', qr/&acr=phr$/,
          'acr=phr location: the Location ends with &acr=phr');
    api_checks(GET('/denial-phr/', basic('alice'),
                   Accept => 'application/json'),
               'acr=phr location, API', acr => 'phr',
               return_to => '/denial-phr/');
}

# ---- max-age from the Require line and from StepupMaxAge -------------------
api_checks(GET('/denial-age60/', basic('alice'),
               Accept => 'application/json'),
           'Require stepup max-age=60', max_age => 60,
           return_to => '/denial-age60/');
api_checks(GET('/denial-maxage/', basic('alice'),
               Accept => 'application/json'),
           'StepupMaxAge 120', max_age => 120,
           return_to => '/denial-maxage/');

# ---- a custom StepupConfirmURL ---------------------------------------------
nav_checks(GET('/denial-confirm/x.html?y=1', basic('alice'),
               'Sec-Fetch-Mode' => 'navigate', Accept => $CHROME_ACCEPT),
           'StepupConfirmURL /confirm/, navigation', confirm => '/confirm/',
           return_to => '/denial-confirm/x.html?y=1');
api_checks(GET('/denial-confirm/', basic('alice'),
               Accept => 'application/json'),
           'StepupConfirmURL /confirm/, API', confirm => '/confirm/',
           return_to => '/denial-confirm/');

done_testing();
