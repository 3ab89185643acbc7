# SPDX-License-Identifier: Apache-2.0
# Parked requests and their resume (src/httpd/park.c,
# src/handler/resume.c), against a CGI backend that records what it
# receives (t/htdocs/resume/backend.cgi, t/conf/resume.conf.in):
# - a browser form POST (urlencoded, multipart with a file) to a protected
#   location: 303 to the confirm page with resume=<id>; the page shows the
#   method, the path and the StepupShowFields fields, escaped; the password
#   step-up with resume answers the page that continues; POST resume sends
#   the original request to the backend, byte for byte, exactly once;
# - the API: 401 JSON with resume and confirm_url; password with resume
#   (JSON) names it; the client repeats its request with the token;
# - bad ids: malformed, unknown, used, another user's, another session's;
#   a body over StepupResumeLimit or of another type is not kept, and the
#   page says to submit again; StepupResume Off; a one-time location parks
#   a GET; ten resumes of one id at once: one reaches the backend.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore plan done_testing need_module);
use Test::More ();
BEGIN {
    no strict 'refs';
    for my $f (qw(is ok like unlike)) {
        *{"main::$f"} = sub {
            local $Test::Builder::Level = $Test::Builder::Level + 1;
            &{"Test::More::$f"}(@_);
        };
    }
}
use Apache::TestRequest ();
use JSON::PP ();
use POSIX ();
use MIME::Base64 qw(decode_base64);
use URI;
use StepupTest qw(reset_ua %PASSWORDS slurp);
use StepupToken qw(token_from);
use StepupClient qw(request json_of form_body);
use StepupHandler qw(page_field html_unescape);
use PasskeyTest ();

plan need_module('stepup', 'auth_basic', 'authn_file', 'cgid',
                 'socache_shmcb', 'dbd');

reset_ua();

my $SITE = { url => 'http://' . Apache::TestRequest::hostport(),
             handler => '/stepup/', users => {%PASSWORDS} };
my $BACKEND_LOG = Apache::Test::vars('t_logs') . '/resume-backend.log';
my @BROWSER = (Accept => 'text/html,application/xhtml+xml',
               'Sec-Fetch-Mode' => 'navigate', 'Sec-Fetch-Dest' => 'document');

# What the backend received so far: one hash per request.
sub received {
    return [] unless -e $BACKEND_LOG;
    return [ map { JSON::PP->new->decode($_) } grep { /\S/ }
             split /\n/, slurp($BACKEND_LOG) ];
}

sub query_of {
    my ($loc) = @_;
    return { URI->new($loc // '')->query_form };
}

# A browser form sent to $path as $user: the response (303 expected).
sub browser_post {
    my ($path, $user, $ctype, $body, @h) = @_;
    return request($SITE, 'POST', $path, $user,
                   headers => [@BROWSER, 'Content-Type' => $ctype, @h],
                   content => $body);
}

# GET of the confirm page a 303 names.
sub page_of {
    my ($res, $user, @h) = @_;
    my $loc = URI->new($res->header('Location') // '/');
    return request($SITE, 'GET', $loc->path_query, $user,
                   headers => [@BROWSER, @h]);
}

# The password step-up from the page's form, with its resume field.
sub confirm {
    my ($page, $user, %o) = @_;
    my $html = $page->content;
    my $handler = $o{handler} || '/stepup/';
    my @fields = (csrf => page_field($html, 'csrf'),
                  return_to => page_field($html, 'return_to') // '/',
                  password => $PASSWORDS{$user});
    my $resume = page_field($html, 'resume');
    push @fields, resume => $resume if defined $resume;
    return request($SITE, 'POST', "${handler}password", $user,
                   headers => [@BROWSER, @{ $o{headers} || [] }],
                   content => \@fields);
}

# POST resume with the continue page's form.
sub resume {
    my ($cont, $user, %o) = @_;
    my $html = $cont ? $cont->content : '';
    my $handler = $o{handler} || '/stepup/';
    my @fields = (csrf => page_field($html, 'csrf') // $o{csrf},
                  id => $o{id} // page_field($html, 'id'));
    my $cookie = join '; ', grep { defined }
        (defined $o{token} ? "stepup=$o{token}" : undef), $o{cookie};
    return request($SITE, 'POST', "${handler}resume", $user,
                   headers => [@BROWSER, ($cookie ? (Cookie => $cookie) : ())],
                   content => \@fields);
}

unlink $BACKEND_LOG;

# ---- a urlencoded form, through the password, resumed once ---------------
my $form = 'amount=5000&to=bob&note=%3Cscript%3Ealert(1)%3C%2Fscript%3E';
my $res = browser_post('/resume/backend.cgi?x=1', 'alice',
                       'application/x-www-form-urlencoded', $form);
is($res->code, 303, 'a form POST without a token: 303');
my $q = query_of($res->header('Location'));
like($q->{resume} // '', qr/^[A-Za-z0-9_-]{22}$/, '... to the confirm page with resume=<id>');
is($q->{return_to}, '/resume/backend.cgi?x=1', '... and return_to');
is(scalar @{ received() }, 0, 'the backend received nothing yet');
my $id = $q->{resume};

my $page = page_of($res, 'alice');
is($page->code, 200, 'the confirm page with resume: 200');
like($page->content, qr{Confirm access to continue: <strong><code>POST /resume/backend\.cgi\?x=1</code>},
     '... says what is about to happen');
like($page->content, qr{<dt>amount</dt><dd>5000</dd>}, '... shows a field of StepupShowFields');
like($page->content, qr{<dd>&lt;script&gt;alert\(1\)&lt;/script&gt;</dd>}, '... escaped');
unlike($page->content, qr{<script>alert}, '... never as markup');
is(page_field($page->content, 'resume'), $id, '... the password form carries the id');
like($page->content, qr/We won't ask again for a few minutes/, '... a confirmation good for a while');

my $cont = confirm($page, 'alice');
is($cont->code, 200, 'password with resume: 200, the page that continues');
my $token = token_from($cont);
ok(defined $token, '... with the token cookie');
like($cont->content, qr{action="/stepup/resume"}, '... a form to POST resume');
like($cont->content, qr{data-auto-submit}, '... that the script sends by itself');
like($cont->content, qr{<button type="submit">Continue</button>}, '... one Continue button without it');
is(page_field($cont->content, 'id'), $id, '... naming the parked request');

my $done = resume($cont, 'alice', token => $token);
is($done->code, 200, 'POST resume: the backend answers');
like($done->content, qr{received POST \d+ bytes}, '... its own page');
my $got = received();
is(scalar @$got, 1, 'the backend received one request');
is($got->[0]{method}, 'POST', '... the method');
is($got->[0]{uri}, '/resume/backend.cgi?x=1', '... the request-target');
is($got->[0]{ctype}, 'application/x-www-form-urlencoded', '... the Content-Type');
is(decode_base64($got->[0]{body}), $form, '... the body bytes');
is($got->[0]{stepup_user}, 'alice', '... through Require stepup (STEPUP_USER)');

my $again = resume($cont, 'alice', token => $token);
is($again->code, 400, 'the same id again: 400');
like($again->content, qr/start it again/, '... the page says to start again');
is(scalar @{ received() }, 1, '... and the backend received nothing more');

# ---- multipart with a file ------------------------------------------------
my $boundary = 'XyZ' . int(rand(1e9));
my $file = join '', map { chr } 0 .. 255;
my $mp = "--$boundary\r\nContent-Disposition: form-data; name=\"amount\"\r\n\r\n12\r\n"
       . "--$boundary\r\nContent-Disposition: form-data; name=\"doc\"; filename=\"a.bin\"\r\n"
       . "Content-Type: application/octet-stream\r\n\r\n$file\r\n--$boundary--\r\n";
$res = browser_post('/resume/backend.cgi', 'alice',
                    "multipart/form-data; boundary=$boundary", $mp);
is($res->code, 303, 'multipart with a file: 303');
$page = page_of($res, 'alice');
like($page->content, qr{<dt>amount</dt><dd>12</dd>}, '... its page shows a plain field');
unlike($page->content, qr{<dt>doc</dt>}, '... never a file');
$cont = confirm($page, 'alice');
$done = resume($cont, 'alice', token => token_from($cont));
is($done->code, 200, '... resumed');
$got = received();
is(scalar @$got, 2, '... once');
is($got->[1]{ctype}, "multipart/form-data; boundary=$boundary", '... its Content-Type');
is(decode_base64($got->[1]{body}), $mp, '... every byte of the file');

# ---- the API: 401 JSON with resume, password with resume, repeat ----------
my $json = '{"amount":70,"to":"carol"}';
$res = request($SITE, 'POST', '/resume/backend.cgi', 'alice',
               headers => [Accept => 'application/json',
                           'Content-Type' => 'application/json'],
               content => $json);
is($res->code, 401, 'an API POST: 401');
my $j = json_of($res) || {};
like($j->{resume} // '', qr/^[A-Za-z0-9_-]{22}$/, '... JSON with resume');
like($j->{confirm_url} // '', qr{/stepup/\?return_to=.*&resume=\Q$j->{resume}\E},
     '... and a confirm_url naming it');
my $api_id = $j->{resume};
$page = request($SITE, 'GET', "/stepup/?resume=$api_id", 'alice', headers => [@BROWSER]);
like($page->content, qr{<dt>amount</dt><dd>70</dd>}, 'its confirm page shows a JSON member');
$res = request($SITE, 'POST', '/stepup/password', 'alice',
               headers => [Accept => 'application/json'],
               content => [csrf => page_field($page->content, 'csrf'),
                           password => $PASSWORDS{alice}, resume => $api_id]);
is($res->code, 200, 'password with resume (JSON): 200');
$j = json_of($res) || {};
is($j->{resume}, $api_id, '... names the parked request');
is($j->{resume_url}, '/stepup/resume', '... and where to resume it');
is($j->{method}, 'POST', '... its method');
is($j->{target}, '/resume/backend.cgi', '... and target');
$res = request($SITE, 'POST', '/resume/backend.cgi', 'alice', token => token_from($res),
               headers => [Accept => 'application/json',
                           'Content-Type' => 'application/json'],
               content => $json);
is($res->code, 200, 'the client repeats its request with the token: 200');
$got = received();
is(decode_base64($got->[2]{body}), $json, '... the backend got it');

# ---- a body near StepupResumeLimit (65536): kept in pieces ----------------
{
    my $big = '{"amount":1,"memo":"' . join('', map { chr(65 + $_ % 26) } 1 .. 65000) . '"}';
    my $r = request($SITE, 'POST', '/resume/backend.cgi', 'alice',
                    headers => [Accept => 'application/json',
                                'Content-Type' => 'application/json'],
                    content => $big);
    my $big_id = (json_of($r) || {})->{resume};
    ok(defined $big_id, 'a body of ' . length($big) . ' bytes is parked');
    my $t = token_from(StepupClient::password($SITE, 'alice'));
    $r = resume(undef, 'alice', id => $big_id, token => $t,
                csrf => StepupClient::status($SITE, 'alice')->{csrf});
    is($r->code, 200, '... and resumed');
    ok(decode_base64(received()->[-1]{body}) eq $big, '... every byte of it');
}

# ---- bad ids ----------------------------------------------------------------
$token = token_from(StepupClient::password($SITE, 'alice'));
my $csrf = StepupClient::status($SITE, 'alice')->{csrf};
$res = resume(undef, 'alice', id => 'not-an-id', csrf => $csrf, token => $token);
is($res->code, 400, 'a malformed id: 400');
$res = resume(undef, 'alice', id => 'A' x 22, csrf => $csrf, token => $token);
is($res->code, 400, 'an unknown id: 400');
like($res->content, qr/not found/, '... saying it was not found');
$res = request($SITE, 'GET', '/stepup/?resume=' . ('A' x 22), 'alice', headers => [@BROWSER]);
is($res->code, 400, 'the confirm page of an unknown id: 400');
like($res->content, qr/start it again/, '... says to start again');
$res = request($SITE, 'POST', '/resume/backend.cgi', 'alice',
               headers => [Accept => 'application/json', 'Content-Type' => 'application/json'],
               content => '{"amount":1}');
$api_id = (json_of($res) || {})->{resume};
my $bob_csrf = StepupClient::status($SITE, 'bob')->{csrf};
my $bob_token = token_from(StepupClient::password($SITE, 'bob'));
$res = resume(undef, 'bob', id => $api_id, csrf => $bob_csrf, token => $bob_token);
is($res->code, 400, "another user's id: 400");
$res = request($SITE, 'GET', "/stepup/?resume=$api_id", 'bob', headers => [@BROWSER]);
is($res->code, 400, "... its page: 400");
unlike($res->content, qr/amount/, '... nothing of it shown');
$res = request($SITE, 'POST', '/stepup/password', 'bob',
               headers => [Accept => 'application/json'],
               content => [csrf => $bob_csrf, password => $PASSWORDS{bob}, resume => $api_id]);
is($res->code, 400, "... password with it: 400");
$res = resume(undef, 'alice', id => $api_id, csrf => $csrf, token => $token);
is($res->code, 200, '... still there for its owner');
is(scalar @{ received() }, 5, '... who resumes it once');

# ---- a token below the action's level: the parked request stays ----------
$res = request($SITE, 'POST', '/resume-phr/backend.cgi', 'alice',
               headers => [Accept => 'application/json', 'Content-Type' => 'application/json'],
               content => '{"amount":7}');
my $phr_id = (json_of($res) || {})->{resume};
$res = resume(undef, 'alice', id => $phr_id, csrf => $csrf, token => $token);
is($res->code, 303, 'POST resume with a pwd token for an acr=phr action: 303');
like($res->header('Location') // '', qr{/stepup/\?resume=\Q$phr_id\E&acr=phr},
     '... to confirm at phr first');
$res = request($SITE, 'GET', "/stepup/?resume=$phr_id", 'alice', headers => [@BROWSER]);
is($res->code, 200, '... and the action is still there');
$res = resume(undef, 'alice', id => $phr_id, csrf => $csrf);
is($res->code, 303, 'POST resume without any token: 303, the action kept');
is(scalar @{ received() }, 5, '... the backend received nothing');

# ---- another session (StepupBindCookie sess) ------------------------------
$res = browser_post('/resume-bind/backend.cgi', 'alice', 'application/x-www-form-urlencoded',
                    'amount=3');
is($res->code, 303, 'a bound location without the session cookie: 303');
is(query_of($res->header('Location'))->{resubmit}, '1', '... not parked (nothing to bind it to)');
$res = browser_post('/resume-bind/backend.cgi', 'alice', 'application/x-www-form-urlencoded',
                    'amount=3', Cookie => 'sess=one');
is($res->code, 303, 'a bound location: 303');
$q = query_of($res->header('Location'));
$res = request($SITE, 'GET', "/stepup-bind/?resume=$q->{resume}", 'alice',
               headers => [@BROWSER, Cookie => 'sess=two']);
is($res->code, 400, 'its page in another session: 400');
like($res->content, qr/another session/, '... says so');
$page = request($SITE, 'GET', "/stepup-bind/?resume=$q->{resume}", 'alice',
                headers => [@BROWSER, Cookie => 'sess=one']);
is($page->code, 200, '... in its own session: 200');
$cont = confirm($page, 'alice', handler => '/stepup-bind/', headers => [Cookie => 'sess=one']);
is($cont->code, 200, '... confirmed');
$token = token_from($cont);
$res = resume($cont, 'alice', handler => '/stepup-bind/', token => $token, cookie => 'sess=two');
is($res->code, 400, 'resumed from another session: 400');
$res = resume($cont, 'alice', handler => '/stepup-bind/', token => $token, cookie => 'sess=one');
is($res->code, 200, '... from its own: the backend answers');
is(scalar @{ received() }, 6, '... once');

# ---- not kept: over the limit, another type; StepupResume Off --------------
$res = browser_post('/resume-small/backend.cgi', 'alice',
                    'application/x-www-form-urlencoded', 'a=' . ('x' x 200));
is($res->code, 303, 'a form over StepupResumeLimit: 303');
$q = query_of($res->header('Location'));
ok(!defined $q->{resume}, '... without resume');
is($q->{resubmit}, '1', '... with resubmit=1');
is($q->{return_to}, '/resume-small/backend.cgi', '... return_to: the form\'s target');
$page = page_of($res, 'alice');
like($page->content, qr/submit it again/, '... the page says to submit it again');
$res = browser_post('/resume-small/backend.cgi', 'alice',
                    'application/x-www-form-urlencoded', 'a=' . ('x' x 200),
                    Referer => "$SITE->{url}/resume-small/form.html?k=1");
is(query_of($res->header('Location'))->{return_to}, '/resume-small/form.html?k=1',
   '... with a Referer of this site: return_to is the form\'s page');
$res = browser_post('/resume-small/backend.cgi', 'alice',
                    'application/x-www-form-urlencoded', 'a=' . ('x' x 200),
                    Referer => 'http://elsewhere.example/form.html');
is(query_of($res->header('Location'))->{return_to}, '/resume-small/backend.cgi',
   '... another site\'s Referer is not followed');
$res = request($SITE, 'POST', '/resume/backend.cgi', 'alice',
               headers => [Accept => 'application/json', 'Content-Type' => 'text/plain'],
               content => 'hello');
is($res->code, 401, 'an API body of another type: 401');
$j = json_of($res) || {};
ok(!defined $j->{resume}, '... without resume');
like($j->{resume_error} // '', qr/not kept/, '... saying why');
$res = browser_post('/resume-off/backend.cgi', 'alice',
                    'application/x-www-form-urlencoded', 'a=1');
is($res->code, 401, 'StepupResume Off: the 401 of before');
ok(!defined((json_of($res) || {})->{resume}), '... nothing parked');

# ---- a one-time location parks a GET --------------------------------------
$res = request($SITE, 'GET', '/resume-once/backend.cgi?t=9', 'alice',
               headers => [Accept => 'application/json']);
is($res->code, 401, 'a GET at max-age=0: 401');
$j = json_of($res) || {};
ok(defined $j->{resume}, '... parked');
$page = request($SITE, 'GET', "/stepup/?resume=$j->{resume}", 'alice', headers => [@BROWSER]);
like($page->content, qr/needs a confirmation of your identity each time/,
     '... its page says a confirmation is needed each time');
unlike($page->content, qr/few minutes/, '... not "for a few minutes"');

# ---- ten resumes of one id at once: one reaches the backend ---------------
$res = browser_post('/resume/backend.cgi', 'alice', 'application/x-www-form-urlencoded',
                    'amount=10');
$q = query_of($res->header('Location'));
$page = page_of($res, 'alice');
$cont = confirm($page, 'alice');
$token = token_from($cont);
my $before = scalar @{ received() };
my @kids;
for (1 .. 10) {
    my $pid = fork;
    die "fork: $!" unless defined $pid;
    if (!$pid) {
        my $r = resume($cont, 'alice', token => $token);
        POSIX::_exit($r->code == 200 ? 0 : 1);
    }
    push @kids, $pid;
}
my $wins = 0;
for (@kids) { waitpid $_, 0; $wins++ if $? == 0 }
is($wins, 1, 'ten resumes of one id at once: one succeeds');
is(scalar @{ received() } - $before, 1, '... and the backend received one request');

# ---- the API through a passkey: begin and finish with resume --------------
{
    my $P = PasskeyTest::site('/pk/stepup/');
    my $key = StepupClient::authn($P);
    is(StepupClient::register($key, $P, 'rhea', name => 'Key')->code, 200,
       'passkey: rhea registers one');
    my $body = '{"amount":2500}';
    my $r = request($P, 'POST', '/pk/resume/backend.cgi', 'rhea',
                    headers => [Accept => 'application/json',
                                'Content-Type' => 'application/json'],
                    content => $body);
    is($r->code, 401, 'passkey: an API POST: 401');
    my $pid = (json_of($r) || {})->{resume};
    like($r->header('WWW-Authenticate') // '', qr/insufficient_user_authentication/,
         '... with the RFC 9470 challenge');
    $r = StepupClient::post_json($P, 'passkey/begin', 'rhea', { resume => 'A' x 22 });
    is($r->code, 400, 'passkey/begin with an unknown resume id: 400');
    $r = StepupClient::post_json($P, 'passkey/begin', 'rhea', { resume => $pid });
    is($r->code, 200, 'passkey/begin with resume: 200');
    $r = StepupClient::login_finish($P, 'rhea', $key->assert(json_of($r)));
    is($r->code, 200, 'passkey/finish: 200');
    my $f = json_of($r) || {};
    is($f->{resume}, $pid, '... names the parked request');
    is($f->{resume_url}, '/pk/stepup/resume', '... and where to resume it');
    my $tok = token_from($r);
    $r = request($P, 'POST', '/pk/stepup/resume', 'rhea', token => $tok,
                 headers => [@BROWSER],
                 content => [csrf => StepupClient::csrf($P, 'rhea'), id => $pid]);
    is($r->code, 200, '... POST resume (what the page script does): the backend answers');
    my $last = received()->[-1];
    is(decode_base64($last->{body}), $body, '... with the original body');
    is($last->{stepup_acr}, 'phr', '... at the passkey\'s level');

    # a one-time location: the page's script gets the bound token as its
    # cookie (a JSON answer) and POST resume takes it from there
    $body = '{"amount":9000}';
    $r = request($P, 'POST', '/pk/resume-once/backend.cgi', 'rhea',
                 headers => [Accept => 'application/json',
                             'Content-Type' => 'application/json'],
                 content => $body);
    $pid = (json_of($r) || {})->{resume};
    ok(defined $pid, 'passkey, one-time: parked');
    $r = StepupClient::post_json($P, 'passkey/begin', 'rhea', { resume => $pid });
    $r = StepupClient::login_finish($P, 'rhea', $key->assert(json_of($r) || {}));
    is((json_of($r) || {})->{resume}, $pid, '... passkey/finish names it');
    $tok = token_from($r);
    my $csrf_r = StepupClient::csrf($P, 'rhea');
    $r = request($P, 'POST', '/pk/stepup/resume', 'rhea', token => $tok,
                 headers => [@BROWSER], content => [csrf => $csrf_r, id => $pid]);
    is($r->code, 200, '... POST resume with the bound token of the cookie: the backend answers');
    ok(decode_base64(received()->[-1]{body}) eq $body, '... with the original body');
    $r = request($P, 'POST', '/pk/stepup/resume', 'rhea', token => $tok,
                 headers => [@BROWSER], content => [csrf => $csrf_r, id => $pid]);
    is($r->code, 400, '... once');
}

# ---- a one-time location: the confirmation is bound to the transaction ----
# (a v2 token over the parked request's method, target, Content-Type and
# body, marked once; the browser never holds it, the API client does)
{
    # a token is its fields: two step-ups of one user in one second give
    # the same token, and an ordinary one is marked once. A second of its
    # own, so that the token below is only the bound step-up's.
    sleep 1;
    my $ct = 'application/x-www-form-urlencoded';
    my $form = 'amount=7000&to=carol';
    my $res = browser_post('/resume-once/backend.cgi', 'alice', $ct, $form);
    is($res->code, 303, 'one-time: a form POST: 303');
    my $cont = confirm(page_of($res, 'alice'), 'alice');
    is($cont->code, 200, 'one-time: the password with resume: the page that continues');
    my $v1 = token_from($cont);
    like($v1 // '', qr/^v1\./, '... the browser\'s cookie is an ordinary (v1) token');
    my $other = browser_post('/resume-once/backend.cgi', 'alice', $ct,
                             'amount=9999&to=mallory', Cookie => "stepup=$v1");
    is($other->code, 303, '... which opens no other one-time action (parked in turn)');
    my $before = scalar @{ received() };
    my $r = resume($cont, 'alice', token => $v1);
    is($r->code, 200, 'POST resume: the backend answers');
    is(scalar @{ received() } - $before, 1, '... once');
    my $last = received()->[-1];
    is(decode_base64($last->{body}), $form, '... with the confirmed body');
    is($last->{stepup_txn},
       StepupToken::txn_value('POST', '/resume-once/backend.cgi', $ct, $form),
       '... and STEPUP_TXN, the transaction the user confirmed');
    is($last->{stepup_amr}, 'pwd', '... and STEPUP_AMR');
    is(resume($cont, 'alice', token => $v1)->code, 400, 'the same resume again: 400');
    is(scalar @{ received() } - $before, 1, '... the backend received nothing more');
}
{
    my $body = '{"amount":8000,"to":"dave"}';
    my @api = (Accept => 'application/json', 'Content-Type' => 'application/json');
    my $send = sub {
        my ($content, $tok) = @_;
        return request($SITE, 'POST', '/resume-once/backend.cgi?api=1', 'alice',
                       headers => [@api, ($tok ? (Cookie => "stepup=$tok") : ())],
                       content => $content);
    };
    my $r = $send->($body);
    is($r->code, 401, 'one-time API POST: 401');
    my $pid = (json_of($r) || {})->{resume};
    $r = request($SITE, 'POST', '/stepup/password', 'alice',
                 headers => [Accept => 'application/json'],
                 content => [csrf => StepupClient::csrf($SITE, 'alice'),
                             password => $PASSWORDS{alice}, resume => $pid]);
    is($r->code, 200, '... the password with resume: 200');
    my $v2 = token_from($r);
    like($v2 // '', qr/^v2\./, '... the API client gets the transaction-bound (v2) token');
    is($send->('{"amount":9000,"to":"dave"}', $v2)->code, 401,
       'that token with another amount: 401');
    my $before = scalar @{ received() };
    is($send->($body, $v2)->code, 200, 'the same request byte for byte: 200');
    is(received()->[-1]{stepup_txn},
       StepupToken::txn_value('POST', '/resume-once/backend.cgi?api=1',
                              'application/json', $body),
       '... STEPUP_TXN names it');
    is($send->($body, $v2)->code, 401, '... and only once');
    is(scalar @{ received() } - $before, 1, 'the backend received it once');
}
{
    my $P = PasskeyTest::site('/pk/stepup/');
    my $key = StepupClient::authn($P);
    is(StepupClient::register($key, $P, 'iris', name => 'Key')->code, 200,
       'one-time passkey: iris registers one');
    my $body = '{"amount":6000}';
    my $r = request($P, 'POST', '/pk/resume-once/backend.cgi', 'iris',
                    headers => [Accept => 'application/json',
                                'Content-Type' => 'application/json'],
                    content => $body);
    my $pid = (json_of($r) || {})->{resume};
    $r = StepupClient::post_json($P, 'passkey/begin', 'iris', { resume => $pid });
    my $opts = json_of($r) || {};
    my $raw = StepupToken::b64url_decode($opts->{challenge} // '');
    my $txn = StepupToken::txn_value('POST', '/pk/resume-once/backend.cgi',
                                     'application/json', $body);
    is(length($raw), 48, 'passkey/begin for a one-time action: a 48-byte challenge');
    is(StepupToken::b64url(substr($raw, 32)), $txn,
       '... whose last 16 bytes are the transaction (the signature covers it)');
    $r = StepupClient::login_finish($P, 'iris', $key->assert($opts));
    is($r->code, 200, 'passkey/finish: 200');
    like(token_from($r) // '', qr/^v2\./, '... a v2 token for the API client');
    my $before = scalar @{ received() };
    $r = request($P, 'POST', '/pk/resume-once/backend.cgi', 'iris',
                 token => token_from($r),
                 headers => [Accept => 'application/json',
                             'Content-Type' => 'application/json'],
                 content => $body);
    is($r->code, 200, '... which opens the action it was confirmed for');
    is(received()->[-1]{stepup_txn}, $txn, '... with its STEPUP_TXN');
}

done_testing();
