# SPDX-License-Identifier: Apache-2.0
# The application asks for step-up (StepupBackendChallenge, src/httpd/
# backend.c): an application (t/htdocs/backend/app.cgi, t/conf/
# backend.conf.in) that answers 401 with an RFC 9470 challenge for an
# amount of 1000 or more, through mod_cgid and through mod_proxy_http:
# - a browser form POST it challenges: 303 to the confirm page with
#   resume; the password step-up; POST resume; the application receives
#   the original body once more, with the step-up's variables;
# - an API POST it challenges: the module's 401 JSON with resume and
#   confirm_url, at the challenge's level and max_age;
# - its own Basic 401, and every answer with StepupBackendChallenge Off,
#   pass untouched;
# - a token in the request reaches the application as STEPUP_* variables
#   (or, proxied, as the headers mod_headers makes of them).
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore plan done_testing need_module);
use Apache::TestRequest ();
use JSON::PP ();
use MIME::Base64 qw(decode_base64);
use URI;
use StepupTest qw(check reset_ua %PASSWORDS slurp token);
use StepupToken qw(token_from mint_v2 txn_value);
use StepupClient qw(request json_of);
use StepupHandler qw(page_field);

plan need_module('stepup', 'auth_basic', 'authn_file', 'cgid',
                 'socache_shmcb', 'proxy', 'proxy_http', 'headers');

reset_ua();

my $SITE = { url => 'http://' . Apache::TestRequest::hostport(),
             handler => '/stepup/', users => {%PASSWORDS} };
my $APP_LOG = Apache::Test::vars('t_logs') . '/backend-app.log';
my @BROWSER = (Accept => 'text/html,application/xhtml+xml',
               'Sec-Fetch-Mode' => 'navigate', 'Sec-Fetch-Dest' => 'document');
my @API = (Accept => 'application/json');
my $FORM = 'application/x-www-form-urlencoded';

# What the application received so far: one hash per request.
sub received {
    return [] unless -e $APP_LOG;
    return [ map { JSON::PP->new->decode($_) } grep { /\S/ }
             split /\n/, slurp($APP_LOG) ];
}

sub last_received { my $r = received(); return $r->[-1] || {} }

sub query_of { return { URI->new($_[0] // '')->query_form } }

sub post {
    my ($path, $ctype, $body, @h) = @_;
    return request($SITE, 'POST', $path, 'alice',
                   headers => [@h, 'Content-Type' => $ctype],
                   content => $body);
}

# The browser path after a 303 to the confirm page: the page, the
# password step-up with its resume field, POST resume with the token.
sub confirm_and_resume {
    my ($res) = @_;
    my $loc = URI->new($res->header('Location') // '/');
    my $page = request($SITE, 'GET', $loc->path_query, 'alice',
                       headers => [@BROWSER]);
    my $html = $page->content;
    my $cont = request($SITE, 'POST', '/stepup/password', 'alice',
                       headers => [@BROWSER],
                       content => [csrf => page_field($html, 'csrf'),
                                   return_to => page_field($html, 'return_to') // '/',
                                   password => $PASSWORDS{alice},
                                   resume => page_field($html, 'resume')]);
    my $token = token_from($cont);
    my $done = request($SITE, 'POST', '/stepup/resume', 'alice',
                       headers => [@BROWSER, Cookie => "stepup=$token"],
                       content => [csrf => page_field($cont->content, 'csrf'),
                                   id => page_field($cont->content, 'id')]);
    return ($page, $done);
}

unlink $APP_LOG;

for my $via (qw(cgi proxy)) {
    my $base = "/backend-$via/app.cgi";

    # ---- an API POST the application challenges --------------------------
    my $json = '{"amount":5000,"to":"bob"}';
    my $res = post($base, 'application/json', $json, @API);
    check($res->code, 401, "$via: an API POST the application challenges: 401");
    check($res->header('Content-Type') // '', qr{^application/json},
         "$via: ... the module's JSON");
    my $j = json_of($res) || {};
    check($j->{error}, 'insufficient_user_authentication', "$via: ... its error");
    check($j->{acr_values}, 'phrh', "$via: ... the challenge's level");
    check($j->{max_age}, 0, "$via: ... and max_age");
    check($j->{resume} // '', qr/^[A-Za-z0-9_-]{22}$/, "$via: ... with resume");
    check($j->{confirm_url} // '', qr{^/stepup/\?return_to=.*&resume=\Q$j->{resume}\E&acr=phrh$},
         "$via: ... and a confirm_url naming it");
    check(join(' ', $res->header('WWW-Authenticate')),
         qr/^Bearer error="insufficient_user_authentication", error_description="Confirm your identity with a hardware security key", acr_values="phrh", max_age=0$/,
         "$via: ... the module's challenge in place of the application's");
    check(index($res->content, "application's challenge body"), -1,
           "$via: ... the application's body dropped");
    check(last_received()->{answer}, 'challenge', "$via: ... the application had the request");
    check(decode_base64(last_received()->{body}), $json, "$via: ... and its body");

    # ---- under the amount: through, untouched ----------------------------
    $res = post($base, $FORM, 'amount=10&to=bob', @BROWSER);
    check($res->code, 200, "$via: a small amount: the application's 200");
    check($res->content, qr/received POST 16 bytes, amount 10/, "$via: ... its page");

    # ---- a browser form the application challenges ------------------------
    my $form = 'amount=2500&to=carol';
    my $n = @{ received() };
    $res = post("$base?acr=pwd&age=300", $FORM, $form, @BROWSER);
    check($res->code, 303, "$via: a form POST the application challenges: 303");
    my $q = query_of($res->header('Location'));
    check($q->{resume} // '', qr/^[A-Za-z0-9_-]{22}$/, "$via: ... to the confirm page with resume");
    check($q->{return_to}, "$base?acr=pwd&age=300", "$via: ... and return_to");
    check($q->{acr}, undef, "$via: ... at the level pwd (no acr)");
    check($res->content, '', "$via: ... nothing of the application's answer");
    my ($page, $done) = confirm_and_resume($res);
    check($page->content, qr{Confirm access to continue: <strong><code>POST \Q$base\E},
         "$via: the confirm page names the action");
    check($done->code, 200, "$via: POST resume: the application's answer");
    check($done->content, qr/received POST 20 bytes, amount 2500/, "$via: ... its page");
    my $got = received();
    check(scalar @$got, $n + 2, "$via: the application received the form twice: challenged, resumed");
    check(decode_base64($got->[-1]{body}), $form, "$via: ... the original body");
    check($got->[-1]{method}, 'POST', "$via: ... the method");
    check($got->[-1]{stepup_user}, 'alice', "$via: ... with STEPUP_USER");
    check($got->[-1]{stepup_acr}, 'pwd', "$via: ... and STEPUP_ACR");
    check($got->[-1]{stepup_amr}, 'pwd', "$via: ... and STEPUP_AMR");

    # ---- a GET link challenged: sent to confirm, nothing parked -----------
    $res = request($SITE, 'GET', "$base?mode=none&acr=phr", 'alice',
                   headers => [@BROWSER]);
    check($res->code, 200, "$via: a GET without an amount: 200");

    # ---- the application's own Basic prompt --------------------------------
    $res = post("$base?mode=basic", $FORM, 'amount=5000', @API);
    check($res->code, 401, "$via: the application's Basic 401: 401");
    check(join(' ', $res->header('WWW-Authenticate')), 'Basic realm="the application"',
       "$via: ... its own WWW-Authenticate");
    check($res->content, "the application's own prompt\n", "$via: ... its own body");

    # ---- a token reaches the application -----------------------------------
    my $tok = token(acr => 'phr', amr => 'hwk');
    $res = request($SITE, 'POST', $base, 'alice', token => $tok,
                   headers => ['Content-Type' => $FORM], content => 'amount=5');
    check($res->code, 200, "$via: with a token: 200");
    $got = last_received();
    check($got->{stepup_user}, 'alice', "$via: ... STEPUP_USER");
    check($got->{stepup_acr}, 'phr', "$via: ... STEPUP_ACR");
    check($got->{stepup_auth_time} // '', qr/^\d{10}$/, "$via: ... STEPUP_AUTH_TIME");
    check($got->{stepup_amr}, 'hwk', "$via: ... STEPUP_AMR");
    check($got->{stepup_txn}, undef, "$via: ... no STEPUP_TXN for a v1 token");

    $res = request($SITE, 'POST', $base, 'alice', token => token(user => 'bob'),
                   headers => ['Content-Type' => $FORM], content => 'amount=6');
    check(last_received()->{stepup_user}, undef, "$via: another user's token: no STEPUP_USER");
    my $v2 = mint_v2(secret => StepupTest::secret('k1'), user => 'alice', acr => 'phrh',
                     txn => txn_value('POST', $base, $FORM, 'amount=7'));
    $res = request($SITE, 'POST', $base, 'alice', token => $v2,
                   headers => ['Content-Type' => $FORM], content => 'amount=8');
    check(last_received()->{stepup_user}, undef,
       "$via: a transaction-bound token of another body: no STEPUP_USER");
}

# ---- StepupBackendChallenge Off: the application's challenge as is ---------
my $res = post('/backend-off/app.cgi', 'application/json', '{"amount":5000}', @API);
check($res->code, 401, 'Off: the application\'s 401');
check(join(' ', $res->header('WWW-Authenticate')),
     qr/^Bearer error="insufficient_user_authentication", error_description="a larger transfer"/,
     'Off: ... its own challenge');
check($res->content, "the application's challenge body\n", 'Off: ... its own body');
$res = post('/backend-off/app.cgi', $FORM, 'amount=5000', @BROWSER);
check($res->code, 401, 'Off: a browser form gets the application\'s 401 too');
$res = request($SITE, 'POST', '/backend-off/app.cgi', 'alice', token => token(),
               headers => ['Content-Type' => $FORM], content => 'amount=5');
check(last_received()->{stepup_user}, undef, 'Off: a token is not offered to the application');

# ---- with Require stepup: the ordinary step-up, then the application's ----
$res = request($SITE, 'POST', '/backend-req/app.cgi', 'alice', token => token(),
               headers => [@BROWSER, 'Content-Type' => $FORM],
               content => 'amount=5000&to=bob');
check($res->code, 303, 'Require stepup and a pwd token, the application asks for phrh: 303');
my $q = query_of($res->header('Location'));
check($q->{resume} // '', qr/^[A-Za-z0-9_-]{22}$/, '... parked');
check($q->{acr}, 'phrh', '... to confirm at phrh');
check(last_received()->{stepup_acr}, 'pwd', '... the application saw the pwd step-up');
$res = request($SITE, 'POST', '/backend-req/app.cgi', 'alice', token => token(),
               headers => ['Content-Type' => $FORM], content => 'amount=50');
check($res->code, 200, '... and lets a small amount through');

done_testing();
