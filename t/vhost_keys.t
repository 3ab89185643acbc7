# SPDX-License-Identifier: Apache-2.0
# Virtual hosts that verify with the same keys accept each other's tokens
# for equal user names (a token names a user, not a host). httpd says so
# once at start-up, naming the hosts and the key file (STEPUP0171), and the
# reference (conf/stepup.conf, StepupKeyFile) gives the fix: a StepupKeyFile
# per virtual host. A private httpd -X each time:
#   shared:  a.test and b.test inherit the main server's StepupKeyFile,
#            c.test has its own, d.test and e.test name one other file
#   own:     each virtual host its own file
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore plan done_testing need_module);
use LWP::UserAgent ();
use StepupTest qw(check basic keyfile conf_dir token);
use StepupToken ();
use StepupHandler ();
use File::Spec::Functions qw(catfile);

plan need_module('stepup', 'auth_basic', 'authn_file',
                 'authn_core', 'authz_core', 'authz_user');

my $KEYS = keyfile();
my $HTPASSWD = catfile(conf_dir(), 'htpasswd');
my @MODULES = qw(mpm_event authn_core authz_core authz_user auth_basic
                 authn_file);
my $ua = LWP::UserAgent->new(requests_redirectable => [], timeout => 30);

# A key file of its own (key k1): (path, secret).
sub keyfile_named {
    my ($name) = @_;
    my $secret = join '', map { chr int rand 256 } 1 .. 32;
    return (StepupTest::work_file("$name.keys",
                'k1 ' . StepupToken::b64url($secret) . "\n", 0600), $secret);
}
my ($C) = keyfile_named('vh-c');
my ($DE) = keyfile_named('vh-de');

my $PROTECTED = <<EOC;
<Location /account/>
    AuthType Basic
    AuthName "vh"
    AuthUserFile "$HTPASSWD"
    Require stepup
</Location>
EOC

sub vhost {
    my ($name, $keys) = @_;
    return "<VirtualHost *:*>\n    ServerName $name\n"
         . (defined $keys ? "    StepupKeyFile \"$keys\"\n" : '')
         . "</VirtualHost>\n";
}

sub lines_0171 {
    my ($srv) = @_;
    return grep { /STEPUP0171/ } split /\n/, $srv->error_log;
}

# ---- shared keys -----------------------------------------------------------
my $srv = StepupHandler::mini_server(\@MODULES,
    "StepupKeyFile \"$KEYS\"\n$PROTECTED" . vhost('a.test') . vhost('b.test')
    . vhost('c.test', $C) . vhost('d.test', $DE) . vhost('e.test', $DE));
check($srv ? 'started' : "not started: $@", 'started',
      'shared keys: httpd -X starts (a warning, not a refusal)');
die "httpd -X did not start: $@\n" unless $srv;
my @lines = lines_0171($srv);
check(scalar(@lines), 2, 'two STEPUP0171 lines: one per shared key file');
my ($ab) = grep { /\Q$KEYS\E/ } @lines;
my ($de) = grep { /\Q$DE\E/ } @lines;
$ab ||= '';
$de ||= '';
check($ab, qr/\[stepup:warn\].*STEPUP0171: the virtual hosts a\.test \(\S+:\d+\), b\.test \(\S+:\d+\) share the keys of StepupKeyFile \Q$KEYS\E: a step-up token from one opens the others for the same user name; give each virtual host its own StepupKeyFile/,
      'the inherited file: a warning naming a.test and b.test, the file '
      . 'and the fix');
check($ab =~ /c\.test|d\.test|e\.test/ ? 'others named' : 'only a and b',
      'only a and b', '... and no other host');
check($de, qr/STEPUP0171: the virtual hosts d\.test \(\S+:\d+\), e\.test \(\S+:\d+\) share the keys of StepupKeyFile \Q$DE\E/,
      'one file named by two virtual hosts: d.test and e.test');
check(scalar(grep { /c\.test/ } @lines), 0, 'c.test (its own file): not named');

# what the warning is about: a.test's token opens b.test, not c.test
sub on {
    my ($host, $t) = @_;
    return $ua->get($srv->url('/account/'), Host => $host, basic('alice'),
                    Accept => 'application/json',
                    Cookie => "stepup=$t")->code;
}
my $t = token(user => 'alice');
check(on('a.test', $t), 404, 'a.test, the shared keys\' token: past Require '
      . 'stepup (404: no such file)');
check(on('b.test', $t), 404, 'b.test accepts the same token');
check(on('c.test', $t), 401, 'c.test, its own keys: 401');
$srv->stop;

# ---- each its own file -----------------------------------------------------
my ($A, $secret_a) = keyfile_named('vh-a');
my ($B) = keyfile_named('vh-b');
$srv = StepupHandler::mini_server(\@MODULES,
    "StepupKeyFile \"$KEYS\"\n$PROTECTED" . vhost('a.test', $A)
    . vhost('b.test', $B));
check($srv ? 'started' : "not started: $@", 'started',
      'own keys: httpd -X starts');
die "httpd -X did not start: $@\n" unless $srv;
check(scalar(lines_0171($srv)), 0, 'own keys: no STEPUP0171');
my $ta = StepupToken::mint(secret => $secret_a, kid => 'k1', user => 'alice');
check(on('a.test', $ta) . ' ' . on('b.test', $ta), '404 401',
      'own keys: a.test\'s token opens a.test, not b.test');
$srv->stop;

done_testing();
