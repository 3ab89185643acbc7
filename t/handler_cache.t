# SPDX-License-Identifier: Apache-2.0
# StepupCache unavailable: the password method fails closed, 503 and a log
# line, never a token (conf/stepup.conf: "When the cache is
# unavailable, the password method answers 503 rather than skip the
# throttle"). Each case runs a private httpd -X (one process, so what the
# first request leaves behind in the process is what the next one meets)
# with the modules it needs and without mod_dbd:
#   memcache: StepupCache memcache:127.0.0.1:1, where nothing listens
#   no shmcb: no StepupCache and mod_socache_shmcb not loaded
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore plan done_testing need_module);
use HTTP::Request::Common ();
use LWP::UserAgent ();
use StepupTest qw(check basic keyfile conf_dir %PASSWORDS);
use StepupClient qw(form_body json_of);
use StepupHandler qw(csrf_mint set_cookies security_checks);
use File::Spec::Functions qw(catfile);

plan need_module('stepup', 'auth_basic', 'authn_file',
                 'authn_core', 'authz_core', 'authz_user',
                 'socache_memcache');

my $KEYS = keyfile();
my $HTPASSWD = catfile(conf_dir(), 'htpasswd');
my $UNAVAILABLE = qr{<p class="error" role="alert" id="error">Confirming is unavailable right now\. Try again later\.</p>};

my $ua = LWP::UserAgent->new(requests_redirectable => [], timeout => 30);

sub site {
    my ($extra) = @_;
    return <<EOC;
StepupKeyFile "$KEYS"
$extra
<Location /stepup/>
    AuthType Basic
    AuthName "mini"
    AuthBasicProvider file
    AuthUserFile "$HTPASSWD"
    Require valid-user
    SetHandler stepup
</Location>
EOC
}

sub post_pw {
    my ($srv, $user, $password, @h) = @_;
    return $ua->request(HTTP::Request::Common::POST($srv->url('/stepup/password'),
        'Content-Type' => 'application/x-www-form-urlencoded', basic($user),
        @h, Content => form_body(csrf => csrf_mint(user => $user),
                                 password => $password, return_to => '/x')));
}

# How many lines of $text match $re.
sub n_lines { my ($text, $re) = @_; return scalar(grep { /$re/ } split /\n/, $text) }

# ---- StepupCache memcache:127.0.0.1:1 --------------------------------------
{
    my $srv = StepupHandler::mini_server(
        [qw(mpm_event authn_core authz_core authz_user auth_basic authn_file
            socache_memcache)],
        site('StepupCache memcache:127.0.0.1:1'));
    check($srv ? 'started' : "not started: $@", 'started',
          'memcache: httpd starts (the cache is only needed by requests)');
    $srv ||= bless {}, 'Nothing';

    my $page = $ua->get($srv->url('/stepup/'), basic('alice'));
    check($page->code, 200, 'memcache down: the page still loads');
    check($page->content =~ /Use passkey|data-action=/ ? 'passkey button'
          : 'none', 'none', 'memcache down, no mod_dbd: no passkey button');
    my $st = $ua->get($srv->url('/stepup/status'), basic('alice'));
    my $j = json_of($st) || {};
    check($st->code . ' ' . (defined $j->{passkeys} ? $j->{passkeys} : 'null'),
          '200 0', 'no mod_dbd: status says passkeys 0');

    # first try: the connection is refused
    my $res = post_pw($srv, 'alice', 'wrong-password');
    check($res->code, 503, 'memcache down, a wrong password: 503');
    check($res->content, $UNAVAILABLE, 'memcache down, a wrong password: '
          . 'the page says confirming is unavailable');
    check(scalar(set_cookies($res)), 0, 'memcache down, a wrong password: '
          . 'no cookie');
    security_checks($res, 'the 503 answer');

    # the right password must not get through either, however the
    # provider fails the next times (a dead server, a reconnect)
    for my $n (1 .. 3) {
        $res = post_pw($srv, 'alice', $PASSWORDS{alice});
        check($res->code, 503, "memcache down, the right password (try $n): "
              . '503, fail closed');
        check(scalar(set_cookies($res)), 0, "memcache down, the right password "
              . "(try $n): no token");
    }
    $res = post_pw($srv, 'alice', 'wrong-again');
    check($res->code, 503, 'memcache down, a wrong password again: 503');
    $res = post_pw($srv, 'alice', $PASSWORDS{alice},
                   Accept => 'application/json');
    my $k = json_of($res) || {};
    check($res->code, 503, 'memcache down, JSON: 503');
    check(($k->{ok} ? 'true' : 'false') . ' ' . ($k->{error} || ''),
          'false Confirming is unavailable right now. Try again later.',
          'memcache down, JSON: {"ok":false,"error":...}');
    check(scalar(set_cookies($res)), 0, 'memcache down, JSON: no token');

    my $log = $srv->error_log;
    check(n_lines($log, qr/STEPUP0020: StepupCache memcache:127\.0\.0\.1:1 is unavailable: refusing password step-up for alice$/) >= 1
          ? 'logged' : 'not logged', 'logged',
          'memcache down: STEPUP0020 names the cache and the user');
    check(n_lines($log, qr/STEPUP0100: user alice from 127\.0\.0\.1: step-up by password \(acr pwd\): refused: cache unavailable$/),
          6, 'memcache down: each refused try logged as "refused: cache '
          . 'unavailable" (6)');
    check(n_lines($log, qr/STEPUP0100: .*: ok$/), 0,
          'memcache down: no step-up logged as ok');
    check($log =~ /\Q$PASSWORDS{alice}\E|wrong-password/ ? 'password logged'
          : 'none', 'none', 'memcache down: no password in the log');
    $srv->stop;
}

# ---- no StepupCache, no mod_socache_shmcb ----------------------------------
{
    my $srv = StepupHandler::mini_server(
        [qw(mpm_event authn_core authz_core authz_user auth_basic authn_file)],
        site(''));
    check($srv ? 'started' : "not started: $@", 'started',
          'no shmcb: httpd starts');
    $srv ||= bless {}, 'Nothing';
    check(n_lines($srv->error_log, qr/STEPUP0011: no StepupCache and mod_socache_shmcb is not loaded: password step-up, passkeys and one-time locations will answer 503 until one of them is configured$/),
          1, 'no shmcb: one warning at start-up says what to load');

    my $page = $ua->get($srv->url('/stepup/'), basic('alice'));
    check($page->code, 200, 'no shmcb: the page still loads');
    for my $pw ('wrong-password', $PASSWORDS{alice}) {
        my $what = $pw eq 'wrong-password' ? 'a wrong password' : 'the right password';
        my $res = post_pw($srv, 'alice', $pw);
        check($res->code, 503, "no shmcb, $what: 503");
        check($res->content, $UNAVAILABLE, "no shmcb, $what: the page says why");
        check(scalar(set_cookies($res)), 0, "no shmcb, $what: no cookie");
    }
    my $res = post_pw($srv, 'bob', $PASSWORDS{bob}, Accept => 'application/json');
    check($res->code, 503, 'no shmcb, JSON: 503');
    check((json_of($res) || {})->{error}, 'Confirming is unavailable right now. '
          . 'Try again later.', 'no shmcb, JSON: the error');
    security_checks($res, 'no shmcb, the 503 answer');
    my $log = $srv->error_log;
    check(n_lines($log, qr/STEPUP0015: no StepupCache for this server \(load mod_socache_shmcb or set StepupCache\)/),
          3, 'no shmcb: each try logs what is missing (3)');
    check(n_lines($log, qr/STEPUP0100: user (?:alice|bob) from 127\.0\.0\.1: step-up by password \(acr pwd\): refused: cache unavailable$/),
          3, 'no shmcb: each try logged as "refused: cache unavailable" (3)');
    check(n_lines($log, qr/STEPUP0100: .*: ok$/), 0,
          'no shmcb: no step-up logged as ok');
    $srv->stop;
}

done_testing();

package Nothing;
sub url { 'http://127.0.0.1:9/' }
sub error_log { '' }
sub stop { }
