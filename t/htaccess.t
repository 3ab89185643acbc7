# SPDX-License-Identifier: Apache-2.0
# .htaccess: the directives that decide who may mint a token or what counts
# as phrh are refused there ("... not allowed here", 500), the others still
# work; and the handler refuses to serve where an .htaccess file read with
# AllowOverride AuthConfig applies, since its writer would choose the user
# and the password file behind tokens that every location of the host
# accepts. A private httpd -X whose DocumentRoot is the test's work
# directory, where the .htaccess files are written:
#   ht/     AllowOverride AuthConfig            the directives, one by one
#   hth/    AllowOverride AuthConfig FileInfo   "SetHandler stepup" there
#   loc/    AllowOverride AuthConfig            the site's authentication in
#                                               <Directory>, the handler
#                                               mounted in <Location /loc/>
#   none/   AllowOverride None                  the same, no .htaccess read
#   list/   AllowOverrideList AuthUserFile      the same as loc/
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore plan done_testing need_module);
use HTTP::Request::Common ();
use LWP::UserAgent ();
use StepupTest qw(check basic keyfile conf_dir token %PASSWORDS);
use StepupClient qw(form_body json_of);
use StepupHandler qw(csrf_mint set_cookies);
use File::Path qw(make_path);
use Time::HiRes ();
use File::Spec::Functions qw(catfile);

my @REFUSED = (
    [ StepupAuthnProvider        => 'file' ],
    [ StepupMaxAttempts          => '100 1' ],
    [ StepupTemplate             => 'TEMPLATE' ],
    [ StepupRPID                 => 'example.com' ],
    [ StepupOrigin               => 'https://example.com' ],
    [ StepupHighAssuranceAAGUIDs => 'AAGUIDS' ],
    [ StepupAttestationRoots     => 'ROOTS' ],
);
my @ALLOWED = (
    'StepupMaxAge 120', 'StepupCookieName stepup', 'StepupMethods password',
    'StepupUserVerification preferred', 'StepupConfirmURL /stepup/',
    'StepupCookieSecure Off',
);

plan need_module('stepup', 'auth_basic', 'authn_file', 'authn_core',
                 'authz_core', 'authz_user', 'socache_shmcb');

my $KEYS = keyfile();
my $HTPASSWD = catfile(conf_dir(), 'htpasswd');
my $dir = StepupTest::workdir();
my $ua = LWP::UserAgent->new(requests_redirectable => [], timeout => 30);

# Files the refused directives name, valid for them, so that only the place
# of the directive is wrong.
my %ARG = (
    TEMPLATE => StepupTest::work_file('ht-template.html',
                                      "<p>{{user}}</p>\n", 0644),
    AAGUIDS  => StepupTest::work_file('ht-aaguids.txt',
                                      "cb69481e-8ff7-4039-93ec-0a2729a154a8\n",
                                      0644),
    ROOTS    => catfile(conf_dir(), 'passkey-ca.pem'),
);
# Someone else's password file: the writer of an .htaccess file chose it.
my $OWN = StepupTest::work_file('ht-own.htpasswd',
    StepupTest::htpasswd_line('alice', 'chosen-by-the-writer'), 0644);

for my $d (qw(ht hth loc none list)) {
    make_path("$dir/$d");
    StepupTest::work_file("$d/index.html", "$d\n", 0644);
}
chmod 0755, $dir;

sub htaccess {
    my ($d, $text) = @_;
    StepupTest::work_file("$d/.htaccess", $text, 0644);
}

my $srv = StepupHandler::mini_server(
    [qw(mpm_event authn_core authz_core authz_user auth_basic authn_file
        socache_shmcb)], <<EOC);
StepupKeyFile "$KEYS"
<Directory "$dir/ht">
    AllowOverride AuthConfig
</Directory>
<Directory "$dir/hth">
    AllowOverride AuthConfig FileInfo
</Directory>
<Directory "$dir/loc">
    AllowOverride AuthConfig
    AuthType Basic
    AuthName "mini"
    AuthUserFile "$HTPASSWD"
    Require valid-user
</Directory>
<Directory "$dir/none">
    AllowOverride None
    AuthType Basic
    AuthName "mini"
    AuthUserFile "$HTPASSWD"
    Require valid-user
</Directory>
<Directory "$dir/list">
    AllowOverride None
    AllowOverrideList AuthUserFile
    AuthType Basic
    AuthName "mini"
    AuthUserFile "$HTPASSWD"
    Require valid-user
</Directory>
<Location /loc/>
    SetHandler stepup
    StepupConfirmURL /loc/
</Location>
<Location /list/>
    SetHandler stepup
    StepupConfirmURL /list/
</Location>
<Location /none/>
    SetHandler stepup
    StepupConfirmURL /none/
</Location>
EOC
check($srv ? 'started' : "not started: $@", 'started', 'httpd -X starts');
$srv ||= bless {}, 'Nothing';

my $AUTH = <<EOT;
AuthType Basic
AuthName "ht"
AuthUserFile "$HTPASSWD"
EOT

# GET as alice (her password, or the one given) with a token's age, if any
sub get {
    my ($path, %o) = @_;
    return $ua->get($srv->url($path), basic($o{user} || 'alice', $o{password}),
                    Accept => 'application/json',
                    (defined $o{age} ? (Cookie => 'stepup=' . token(
                        user => $o{token_user} || 'alice',
                        auth_time => time - $o{age})) : ()));
}

sub log_since {
    my ($offset) = @_;
    Time::HiRes::sleep(0.1);
    my $t = $srv->error_log;
    return substr($t, $offset);
}

# ---- each refused directive: 500, the log names it (3 each) -------------------
for my $r (@REFUSED) {
    my ($name, $arg) = @$r;
    $arg = $ARG{$arg} if exists $ARG{$arg};
    # each is accepted where it belongs: in <Location> (httpd -t)
    my ($rc, @err) = StepupTest::configtest(
        "StepupKeyFile \"$KEYS\"\n<Location /x/>\n    $name $arg\n</Location>\n",
        qw(mpm_event authn_core authz_core auth_basic authn_file));
    check($rc, 0, "$name in <Location>: accepted (httpd -t)"
          . (@err ? ": @err" : ''));
    htaccess('ht', "${AUTH}Require stepup\n$name $arg\n");
    my $off = length $srv->error_log;
    my $res = get('/ht/index.html', age => 10);
    check($res->code, 500, "$name in .htaccess: 500");
    check(log_since($off), qr/\Q$dir\E\/ht\/\.htaccess: \Q$name\E not allowed here/,
          "$name in .htaccess: the log names the directive, \"not allowed here\"");
}

# ---- the allowed ones still work -------------------------------------------
htaccess('ht', $AUTH . "Require stepup\n" . join("\n", @ALLOWED) . "\n");
check(get('/ht/index.html')->code, 401, 'Require stepup and ' . scalar(@ALLOWED)
      . ' allowed directives in .htaccess: no token, 401');
check(get('/ht/index.html', age => 10)->code, 200,
      '... a fresh token: 200');
check(get('/ht/index.html', age => 200)->code,
      401, '... a token older than the .htaccess StepupMaxAge 120: 401');
check(get('/ht/index.html', age => 100)->code,
      200, '... one of 100 s: 200');

# ---- the handler where an AuthConfig .htaccess applies ---------------------
sub post_pw {
    my ($base, $password) = @_;
    return $ua->request(HTTP::Request::Common::POST($srv->url("${base}password"),
        'Content-Type' => 'application/x-www-form-urlencoded',
        Accept => 'application/json', basic('alice', $password),
        Content => form_body(csrf => csrf_mint(user => 'alice'),
                             password => $password, return_to => '/x')));
}

# mounted from .htaccess, with the writer's password file
htaccess('hth', <<EOT);
AuthType Basic
AuthName "mine"
AuthUserFile "$OWN"
Require valid-user
SetHandler stepup
StepupConfirmURL /hth/
EOT
my $off = length $srv->error_log;
my $res = post_pw('/hth/', 'chosen-by-the-writer');
check($res->code, 500, 'SetHandler stepup in .htaccess with its own '
      . 'AuthUserFile: password/ 500');
check(scalar(set_cookies($res)), 0, '... and no token');
check(get('/hth/status', password => 'chosen-by-the-writer')->code, 500,
      '... status: 500');
my $log = log_since($off);
check($log, qr/STEPUP0170: the stepup handler refuses \/hth\/password: an \.htaccess file in \Q$dir\E\/hth\/ may change the authentication/,
      '... the log says why (STEPUP0170), naming the directory');
check($log =~ /chosen-by-the-writer/ ? 'password logged' : 'none', 'none',
      '... no password in the log');

# mounted by the admin (<Location>) where the site's authentication is
# configured in <Directory>: an .htaccess there replaces the password file
# of both the sign-in and the step-up ("file" provider)
htaccess('loc', "AuthUserFile \"$OWN\"\n");
$res = post_pw('/loc/', 'chosen-by-the-writer');
check($res->code, 500, '<Location> handler, .htaccess with its own '
      . 'AuthUserFile: the writer\'s password gets 500');
check(scalar(set_cookies($res)), 0, '... and no token');
$res = post_pw('/loc/', $PASSWORDS{alice});
check($res->code, 401, '... the real password: refused by the sign-in '
      . '(401), which the .htaccess decides');
# an .htaccess with nothing about authentication in it is still AuthConfig's
htaccess('loc', "# nothing yet\n");
check(get('/loc/status')->code, 500,
      '<Location> handler, an .htaccess that may change authentication '
      . '(AllowOverride AuthConfig), even empty: 500');
unlink "$dir/loc/.htaccess";
check(get('/loc/status')->code, 200,
      '<Location> handler, AllowOverride AuthConfig but no .htaccess: 200');
$res = post_pw('/loc/', $PASSWORDS{alice});
check($res->code . ' ' . scalar(set_cookies($res)), '200 1',
      '... the password: 200 and a token');

# AllowOverride None: httpd does not read the file at all
htaccess('none', "AuthUserFile \"$OWN\"\n");
check(get('/none/status')->code, 200,
      '<Location> handler, an .htaccess where AllowOverride None: 200');
$res = post_pw('/none/', 'chosen-by-the-writer');
check($res->code, 401, '... its password file is not read: the writer\'s '
      . 'password is a Basic failure (401)');
$res = post_pw('/none/', $PASSWORDS{alice});
check($res->code . ' ' . scalar(set_cookies($res)), '200 1',
      '... the real password: 200 and a token');

# AllowOverrideList AuthUserFile: the same as AllowOverride AuthConfig
htaccess('list', "AuthUserFile \"$OWN\"\n");
$res = post_pw('/list/', 'chosen-by-the-writer');
check($res->code . ' ' . scalar(set_cookies($res)), '500 0',
      'AllowOverrideList AuthUserFile, an .htaccess with its own file: 500, '
      . 'no token');

# ---- the Require stepup of .htaccess still decides with the server's keys
htaccess('ht', "${AUTH}Require stepup\nStepupMaxAge 60\n");
check(get('/ht/index.html', age => 90)->code,
      401, 'StepupMaxAge 60 in .htaccess: a token of 90 s, 401');
check(get('/ht/index.html', age => 10, token_user => 'bob')->code, 401,
      '... another user\'s token: 401');
unlink "$dir/ht/.htaccess";
check(get('/ht/index.html')->code, 200, 'no .htaccess: the directory is open again');
check(scalar(grep { /STEPUP0170/ } split /\n/, $srv->error_log), 5,
      'each refused handler request logged once (5)');

$srv->stop if $srv->can('stop');

done_testing();
