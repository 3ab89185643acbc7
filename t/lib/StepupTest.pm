package StepupTest;

# SPDX-License-Identifier: Apache-2.0
# Shared helpers of the mod_stepup Apache::Test suite:
# - write_fixtures(): the key file and the htpasswd file, written by
#   t/TEST.PL before httpd is configured (the module reads StepupKeyFile
#   while parsing its configuration);
# - the test users and their passwords, the keys' secrets (read back from
#   the key file, which only the test user can read);
# - request helpers: Basic credentials, a token minted by StepupToken.pm;
# - the error log, a private work directory, and httpd -t on a
#   configuration of a test's own (t/startup.t, PasskeyTest, StepupHandler).

use strict;
use warnings;

use Digest::SHA qw(sha1);
use File::Spec::Functions qw(catfile);
use File::Temp qw(tempdir);
use IO::Socket::INET ();
use MIME::Base64 qw(encode_base64);
use POSIX ();
use Time::HiRes ();
use Exporter 'import';

use StepupToken ();

our @EXPORT_OK = qw(check basic secret token conf_dir keyfile read_keyfile
                    reset_ua hostport_url error_log_text %PASSWORDS
                    log_offset log_since configtest work_file slurp
                    free_port);

# The users of the primary authentication (Basic, mod_authn_file).
# "pipe|user" checks that the token's last field may contain '|'.
our %PASSWORDS = (
    'alice'     => 'alice-pw-Kq8v',
    'bob'       => 'bob-pw-3nXe',
    'pipe|user' => 'pipe-pw-7Zr1',
);

# ---- fixtures (t/TEST.PL) -------------------------------------------------

# A random secret of $n bytes as a key file writes it.
sub _random_b64url {
    my ($n) = @_;
    return StepupToken::b64url(StepupToken::random_bytes($n));
}

# An htpasswd line: {SHA} is base64 of SHA-1, which apr_password_validate
# understands.
sub htpasswd_line {
    my ($user, $password) = @_;
    return "$user:{SHA}" . encode_base64(sha1($password), '') . "\n";
}

sub write_private {
    my ($path, $text) = @_;
    my $old = umask 077;
    open my $fh, '>', $path or die "$path: $!\n";
    print $fh $text;
    close $fh or die "$path: $!\n";
    umask $old;
    chmod 0600, $path or die "chmod $path: $!\n";
}

# Writes into $tdir/conf/stepup/ (mode 0700): main.keys (two keys, random
# secrets, mode 0600; the first signs, both verify) and htpasswd. Existing
# files are kept, so a server still running from an earlier -start keeps
# matching the keys the tests read.
sub write_fixtures {
    my ($tdir) = @_;
    my $dir = catfile($tdir, 'conf', 'stepup');
    unless (-d $dir) {
        mkdir $dir, 0700 or die "mkdir $dir: $!\n";
    }
    chmod 0700, $dir;
    # t/TEST.PL run in a checkout: keep the secrets out of git
    my $ignore = catfile($dir, '.gitignore');
    write_private($ignore, "*\n") unless -e $ignore;

    my $keys = catfile($dir, 'main.keys');
    unless (-e $keys) {
        my $text = "# mod_stepup test keys, written by t/TEST.PL\n"
                 . "k1 " . _random_b64url(32) . "\n"
                 . "\n"
                 . "# a second key: verifies, never signs (rotation)\n"
                 . "k2\t" . _random_b64url(48) . "\n";
        write_private($keys, $text);
    }

    my $htpasswd = catfile($dir, 'htpasswd');
    unless (-e $htpasswd) {
        write_private($htpasswd, join '', map { htpasswd_line($_, $PASSWORDS{$_}) }
                                              sort keys %PASSWORDS);
    }
    return $dir;
}

# ---- what the tests use ---------------------------------------------------

# check(GOT, EXPECTED, NAME): like() when EXPECTED is a regexp, else is().
# Test::More (the .t files say "use Apache::Test qw(-withtestmore ...)")
# prints what was expected and got on a failure; on STDERR, so that it is
# seen without -verbose too (Apache::Test's plan() sends it to STDOUT).
my $diag_to_stderr;
sub check {
    my ($got, $expected, $name) = @_;
    require Test::More;
    Test::Builder->new->failure_output(\*STDERR) unless $diag_to_stderr++;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    if (ref $expected eq 'Regexp') {
        return Test::More::like(defined $got ? $got : '(undef)', $expected,
                                $name);
    }
    return Test::More::is($got, $expected, $name);
}

sub conf_dir {
    require Apache::Test;
    return catfile(Apache::Test::vars('serverroot'), 'conf', 'stepup');
}

sub keyfile { catfile(conf_dir(), 'main.keys') }

# [ [kid, raw secret], ... ] in file order.
sub read_keyfile {
    my ($path) = @_;
    $path ||= keyfile();
    open my $fh, '<', $path or die "$path: $!\n";
    my @keys;
    while (my $line = <$fh>) {
        $line =~ s/#.*//;
        next unless $line =~ /\S/;
        my ($kid, $secret) = split ' ', $line;
        push @keys, [ $kid, StepupToken::b64url_decode($secret) ];
    }
    close $fh;
    return \@keys;
}

my %secret_cache;

# The raw secret of key $kid of the suite's key file.
sub secret {
    my ($kid) = @_;
    $kid = 'k1' unless defined $kid;
    unless (%secret_cache) {
        $secret_cache{ $_->[0] } = $_->[1] for @{ read_keyfile() };
    }
    die "no key $kid in " . keyfile() . "\n"
        unless exists $secret_cache{$kid};
    return $secret_cache{$kid};
}

# A token for the suite's keys: user alice, key k1, auth_time now-10,
# expires auth_time+300, acr pwd, unbound; any field can be given.
sub token {
    my (%a) = @_;
    my $kid = exists $a{kid} ? $a{kid} : 'k1';
    my $sec = exists $a{secret} ? $a{secret} : secret($kid);
    return StepupToken::mint(user => 'alice', kid => $kid, %a,
                             secret => $sec);
}

# Authorization header for a user of %PASSWORDS (or any user/password).
sub basic {
    my ($user, $password) = @_;
    $password = $PASSWORDS{$user} unless defined $password;
    return (Authorization =>
            'Basic ' . encode_base64("$user:$password", ''));
}

# A fresh user agent that does not follow redirects and keeps no cookies:
# every header a test sends is explicit.
sub reset_ua {
    require Apache::TestRequest;
    Apache::TestRequest::user_agent(reset => 1,
                                    requests_redirectable => 0);
}

sub hostport_url {
    my ($path) = @_;
    require Apache::TestRequest;
    return 'http://' . Apache::TestRequest::hostport() . $path;
}

# ---- the error log ---------------------------------------------------------

sub error_log_path {
    require Apache::Test;
    return catfile(Apache::Test::vars('t_logs'), 'error_log');
}

# The text of $file from byte $offset on ('' when it cannot be read).
sub slurp {
    my ($file, $offset) = @_;
    open my $fh, '<', $file or return '';
    seek $fh, $offset, 0 if $offset;
    local $/;
    my $text = <$fh>;
    close $fh;
    return defined $text ? $text : '';
}

# The whole error log of the test server.
sub error_log_text { slurp(error_log_path()) }

sub log_offset { return -s error_log_path() || 0 }

# What the error log gained since log_offset() returned $offset.
sub log_since {
    my ($offset) = @_;
    # the server writes the log before it answers; give a slow disk a moment
    Time::HiRes::sleep(0.1);
    return slurp(error_log_path(), $offset);
}

# ---- a private work directory, httpd -t ------------------------------------

# A free TCP port of 127.0.0.1 (for a server of a test's own).
sub free_port {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                                  Proto => 'tcp', Listen => 1, ReuseAddr => 1)
        or die "no free port: $!";
    my $port = $s->sockport;
    close $s;
    return $port;
}

my $workdir;
sub workdir {
    require FindBin;
    $workdir ||= tempdir('work-XXXXXX', DIR => $FindBin::Bin, CLEANUP => 1);
    return $workdir;
}

# A file of the work directory (mode 0600 unless given): its path.
sub work_file {
    my ($name, $text, $mode) = @_;
    my $path = catfile(workdir(), $name);
    open my $fh, '>:raw', $path or die "$path: $!";
    print $fh $text;
    close $fh;
    chmod(($mode || 0600), $path) or die "chmod $path: $!";
    return $path;
}

# What the suite's server loads: ({ 'mod_x.c' => path }, the directory of
# httpd's modules, the httpd binary).
sub module_paths {
    require Apache::Test;
    my $cfg = Apache::Test::config();
    my %mod = %{ $cfg->{modules} };
    my $dir = $mod{'mod_authn_file.c'};
    $dir =~ s{/[^/]+$}{} if defined $dir;
    return (\%mod, $dir, $cfg->{vars}->{httpd} || '/usr/sbin/apache2');
}

# LoadModule lines for the given short names (authn_core, ...), found where
# the suite's own modules are, then mod_stepup (STEPUP_MODULE overrides).
sub load_lines {
    my (@names) = @_;
    my ($mod, $dir) = module_paths();
    my $text = '';
    for my $m (@names) {
        my $path = $mod->{"mod_$m.c"} || "$dir/mod_$m.so";
        die "mod_$m.so not found\n" unless -f $path;
        $text .= "LoadModule ${m}_module \"$path\"\n";
    }
    $text .= "LoadModule stepup_module \"" . ($ENV{STEPUP_MODULE}
        || $mod->{'mod_stepup.c'}) . "\"\n";
    return $text;
}

our @CONFIGTEST_MODULES = qw(mpm_event authn_core authz_core auth_basic);

# httpd -t on $body after the modules @modules (default
# @CONFIGTEST_MODULES) and mod_stepup; returns (exit status, stderr lines),
# a signal as 128 + its number.
my $seq = 0;
sub configtest {
    my ($body, @modules) = @_;
    @modules = @CONFIGTEST_MODULES unless @modules;
    my (undef, undef, $httpd) = module_paths();
    my $dir = workdir();
    my $n = ++$seq;
    my $conf = work_file("case$n.conf", <<EOC);
ServerRoot "$dir"
ServerName localhost
Listen 127.0.0.1:9
PidFile "$dir/case$n.pid"
ErrorLog "$dir/case$n.error_log"
DefaultRuntimeDir "$dir"
@{[ load_lines(@modules) ]}
$body
EOC
    my $err = "$dir/case$n.stderr";
    my $pid = fork;
    die "fork: $!" unless defined $pid;
    if (!$pid) {
        open STDIN, '<', '/dev/null';
        open STDOUT, '>', "$dir/case$n.stdout" or POSIX::_exit(126);
        open STDERR, '>', $err or POSIX::_exit(126);
        exec $httpd, '-t', '-f', $conf or POSIX::_exit(127);
    }
    waitpid $pid, 0;
    my $status = $? >> 8 || ($? & 127 ? 128 + ($? & 127) : 0);
    open my $fh, '<', $err or die "$err: $!";
    chomp(my @lines = <$fh>);
    close $fh;
    return ($status, @lines);
}

1;
