# SPDX-License-Identifier: Apache-2.0
# The Origin check of every POST to the handler behind a load balancer: the
# browser sends the public origin, which is not scheme://host:port as httpd
# sees the request. With StepupOrigin set the check accepts its origins (and
# only them); without it, the request's own origin. Requests go to a private
# httpd -X (ServerName 127.0.0.1:PORT) with "Host: localhost", no port, as a
# load balancer at http://localhost would forward them:
#   /lb/      StepupOrigin http://localhost https://bank.example
#   /stepup/  no StepupOrigin
#   /lbp/     Require stepup, StepupConfirmURL /lb/, the same StepupOrigin
# with mod_dbd (SQLite) so passkey/begin answers. The redirects (303 after
# a password form, 302 to the confirm page) go to the public origin too,
# not to httpd's scheme and port, which a browser there cannot reach.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore plan done_testing need_module);
use HTTP::Request::Common ();
use LWP::UserAgent ();
use StepupTest qw(check basic keyfile conf_dir %PASSWORDS);
use StepupClient qw(form_body json_of);
use StepupHandler qw(csrf_mint set_cookies);
use File::Spec::Functions qw(catfile);

plan need_module('stepup', 'auth_basic', 'authn_file',
                 'authn_core', 'authz_core', 'authz_user',
                 'socache_shmcb', 'dbd');

my $KEYS = keyfile();
my $HTPASSWD = catfile(conf_dir(), 'htpasswd');
my $DB = catfile(StepupTest::workdir(), 'origin.sqlite');
my $ua = LWP::UserAgent->new(requests_redirectable => [], timeout => 30);

sub handler_at {
    my ($path, $extra) = @_;
    return <<EOC;
<Location $path>
    AuthType Basic
    AuthName "mini"
    AuthBasicProvider file
    AuthUserFile "$HTPASSWD"
    Require valid-user
    SetHandler stepup
    StepupConfirmURL $path
    $extra
</Location>
EOC
}

my $srv = StepupHandler::mini_server(
    [qw(mpm_event authn_core authz_core authz_user auth_basic authn_file
        socache_shmcb dbd)], <<EOC);
StepupKeyFile "$KEYS"
DBDriver sqlite3
DBDParams "$DB"
@{[ handler_at('/lb/', 'StepupOrigin http://localhost https://bank.example') ]}
@{[ handler_at('/stepup/', '') ]}
<Location /lbp/>
    AuthType Basic
    AuthName "mini"
    AuthBasicProvider file
    AuthUserFile "$HTPASSWD"
    Require stepup
    StepupConfirmURL /lb/
    StepupOrigin http://localhost https://bank.example
</Location>
EOC
check($srv ? 'started' : "not started: $@", 'started', 'httpd -X starts');
$srv ||= bless {}, 'Nothing';
my $port = $srv->{port} || 0;

# POST $base/password as JSON from the page of $origin (undef: no Origin)
sub post_pw {
    my ($base, $origin, @h) = @_;
    return $ua->request(HTTP::Request::Common::POST($srv->url("${base}password"),
        'Content-Type' => 'application/x-www-form-urlencoded',
        Accept => 'application/json', Host => 'localhost', basic('alice'),
        (defined $origin ? (Origin => $origin) : ()), @h,
        Content => form_body(csrf => csrf_mint(user => 'alice'),
                             password => $PASSWORDS{alice},
                             return_to => '/x')));
}

sub post_begin {
    my ($base, $origin) = @_;
    return $ua->request(HTTP::Request::Common::POST($srv->url("${base}passkey/begin"),
        'Content-Type' => 'application/json', Accept => 'application/json',
        Host => 'localhost', basic('alice'), Origin => $origin,
        'X-Stepup-CSRF' => csrf_mint(user => 'alice'),
        Content => '{"return_to":"/x"}'));
}

sub post_register {
    my ($base, $origin, $token) = @_;
    return $ua->request(HTTP::Request::Common::POST(
        $srv->url("${base}passkey/register/begin"),
        'Content-Type' => 'application/json', Accept => 'application/json',
        Host => 'localhost', basic('alice'), Origin => $origin,
        'X-Stepup-CSRF' => csrf_mint(user => 'alice'),
        (defined $token ? (Cookie => "stepup=$token") : ()),
        Content => '{"name":"key"}'));
}

sub token_of {
    my ($res) = @_;
    for my $line (set_cookies($res)) {
        return $1 if $line =~ /^stepup=([^;]+)/;
    }
    return undef;
}

sub outcome {
    my ($res) = @_;
    my $j = json_of($res) || {};
    return $res->code . ' ' . ($j->{error} || (scalar(set_cookies($res))
                                               ? 'token' : 'no token'));
}

# ---- StepupOrigin http://localhost https://bank.example --------------------
check(outcome(post_pw('/lb/', 'http://localhost')), '200 token',
      'StepupOrigin http://localhost, Host localhost, Origin http://localhost: '
      . 'the password is accepted, a token');
check(outcome(post_pw('/lb/', 'https://bank.example')), '200 token',
      'the second StepupOrigin: accepted');
check(outcome(post_pw('/lb/', 'HTTP://LocalHost')), '200 token',
      'scheme and host compared without case');
check(outcome(post_pw('/lb/', undef)), '200 token',
      'no Origin header (an old browser): accepted, as before');
check(outcome(post_pw('/lb/', 'http://evil.example')),
      '403 cross-origin request refused', 'a foreign Origin: 403');
check(outcome(post_pw('/lb/', 'https://localhost')),
      '403 cross-origin request refused', 'another scheme: 403');
check(outcome(post_pw('/lb/', 'http://localhost:8080')),
      '403 cross-origin request refused', 'another port: 403');
check(outcome(post_pw('/lb/', "http://localhost:$port")),
      '403 cross-origin request refused',
      'httpd\'s own idea of its origin, when StepupOrigin names the public '
      . 'one: 403');
check(outcome(post_pw('/lb/', 'http://localhost',
                      'Sec-Fetch-Site' => 'cross-site')),
      '403 cross-site request refused',
      'the right Origin but Sec-Fetch-Site cross-site: still 403');
# alice has no passkey: the answer past the Origin check says so
check(outcome(post_begin('/lb/', 'http://localhost')),
      '409 you have no passkey registered here',
      'passkey/begin from http://localhost: past the Origin check (409, no '
      . 'passkey yet), not 403');
my $token = token_of(post_pw('/lb/', 'http://localhost'));
my $reg = post_register('/lb/', 'http://localhost', $token);
check($reg->code, 200, 'passkey/register/begin from http://localhost with '
      . 'the token of that password: 200');
check(outcome(post_begin('/lb/', 'http://evil.example')),
      '403 cross-origin request refused',
      'passkey/begin from a foreign Origin: 403');

# ---- no StepupOrigin: the request's own origin -----------------------------
check(outcome(post_pw('/stepup/', "http://localhost:$port")), '200 token',
      'no StepupOrigin, Origin = the request\'s own (Host and port): accepted');
check(outcome(post_pw('/stepup/', 'http://localhost')),
      '403 cross-origin request refused',
      'no StepupOrigin, Origin without the port httpd sees: 403');
check(outcome(post_pw('/stepup/', 'http://evil.example')),
      '403 cross-origin request refused', 'no StepupOrigin, foreign: 403');
check(outcome(post_begin('/stepup/', "http://localhost:$port")),
      '409 you have no passkey registered here',
      'no StepupOrigin, passkey/begin from its own origin: past the check');
check(outcome(post_begin('/stepup/', 'http://localhost')),
      '403 cross-origin request refused',
      'no StepupOrigin, passkey/begin from the public origin: 403');

# ---- what was logged -------------------------------------------------------
my $log = $srv->error_log;
my @refused = grep { /STEPUP0101: POST \/(?:lb|stepup)\/\S+: 403 cross-origin request refused$/ }
              split /\n/, $log;
check(scalar(@refused), 8, 'each cross-origin refusal logged (8)');
my @ok = grep { /STEPUP0100: user alice from 127\.0\.0\.1: step-up by password \(acr pwd\): ok/ }
         split /\n/, $log;
check(scalar(@ok), 6, 'each accepted password logged as ok (6)');
check($log =~ /\Q$PASSWORDS{alice}\E/ ? 'logged' : 'not logged',
      'not logged', 'no password in the log');

# ---- register/begin: the options of that ceremony --------------------------
my $opts = json_of($reg) || {};
check(ref $opts->{rp} eq 'HASH' && defined $opts->{challenge}
      ? "rp $opts->{rp}{id}" : $reg->content, 'rp localhost',
      'register/begin: WebAuthn creation options for RP ID localhost');
check(outcome(post_register('/lb/', 'http://evil.example', $token)),
      '403 cross-origin request refused',
      'register/begin from a foreign Origin, with the token: 403');
check(scalar(grep { /STEPUP01\d\d: .*cross-site/ } split /\n/, $log), 1,
      'the cross-site refusal logged once');

# ---- redirects to the public origin ----------------------------------------
sub post_form_pw {
    my ($base, $origin) = @_;
    return $ua->request(HTTP::Request::Common::POST($srv->url("${base}password"),
        'Content-Type' => 'application/x-www-form-urlencoded',
        Host => 'localhost', basic('alice'),
        (defined $origin ? (Origin => $origin) : ()),
        Content => form_body(csrf => csrf_mint(user => 'alice'),
                             password => $PASSWORDS{alice},
                             return_to => '/account/?a=1')));
}
sub location { my ($res) = @_; return $res->code . ' ' . ($res->header('Location') || '') }
check(location(post_form_pw('/lb/', 'http://localhost')),
      '303 http://localhost/account/?a=1',
      'the password form from http://localhost: 303 to http://localhost/...');
check(location(post_form_pw('/lb/', 'https://bank.example')),
      '303 https://bank.example/account/?a=1',
      '... from https://bank.example: 303 to that origin');
check(location(post_form_pw('/lb/', undef)),
      '303 http://localhost/account/?a=1',
      '... without Origin: the first StepupOrigin');
check(location(post_form_pw('/stepup/', "http://localhost:$port")),
      "303 http://localhost:$port/account/?a=1",
      'no StepupOrigin: httpd\'s own origin, as before');
my $nav = $ua->get($srv->url('/lbp/page?x=1'), Host => 'localhost',
                   basic('alice'), Accept => 'text/html',
                   'Sec-Fetch-Mode' => 'navigate');
check(location($nav), '302 http://localhost/lb/?return_to=%2flbp%2fpage%3fx%3d1',
      'Require stepup, a navigation without a token: 302 to the confirm '
      . 'page under the first StepupOrigin');
my $drop = $ua->request(HTTP::Request::Common::POST($srv->url('/lb/drop'),
    'Content-Type' => 'application/x-www-form-urlencoded', Host => 'localhost',
    basic('alice'), Origin => 'https://bank.example',
    Content => form_body(csrf => csrf_mint(user => 'alice'), return_to => '/y')));
check(location($drop), '303 https://bank.example/y',
      'drop (a form): 303 to the origin it came from');
my $del = $ua->request(HTTP::Request::Common::POST(
    $srv->url('/lb/passkeys/delete'),
    'Content-Type' => 'application/x-www-form-urlencoded', Host => 'localhost',
    basic('alice'), Origin => 'https://bank.example',
    Content => form_body(csrf => csrf_mint(user => 'alice'), id => 'AAAA')));
check(location($del), qr{^303 https://bank\.example/lb/\?},
      'removing a passkey without a recent step-up (a form): 303 to the '
      . 'confirm page at the origin it came from');
my $api = $ua->get($srv->url('/lbp/page'), Host => 'localhost', basic('alice'),
                   Accept => 'application/json');
check($api->code, 401, 'an API request without a token: 401, no redirect');
check($api->header('Location') ? 'Location' : 'none', 'none',
      '... and no Location');

$srv->stop if $srv->can('stop');

done_testing();
