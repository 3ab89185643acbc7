package StepupTest;

# Shared helpers of the mod_stepup Apache::Test suite:
# - write_fixtures(): the key file and the htpasswd file, written by
#   t/TEST.PL before httpd is configured (the module reads StepupKeyFile
#   while parsing its configuration);
# - the test users and their passwords, the keys' secrets (read back from
#   the key file, which only the test user can read);
# - request helpers: Basic credentials, a token minted by StepupToken.pm.

use strict;
use warnings;

use Digest::SHA qw(sha1);
use File::Spec::Functions qw(catfile);
use MIME::Base64 qw(encode_base64);
use Exporter 'import';

use StepupToken ();

our @EXPORT_OK = qw(check basic secret token conf_dir keyfile read_keyfile
                    reset_ua hostport_url error_log_text %PASSWORDS);

# The users of the primary authentication (Basic, mod_authn_file).
# "pipe|user" checks that the token's last field may contain '|'.
our %PASSWORDS = (
    'alice'     => 'alice-pw-Kq8v',
    'bob'       => 'bob-pw-3nXe',
    'pipe|user' => 'pipe-pw-7Zr1',
);

# ---- fixtures (t/TEST.PL) -------------------------------------------------

sub _random_bytes {
    my ($n) = @_;
    open my $fh, '<:raw', '/dev/urandom' or die "/dev/urandom: $!\n";
    my $buf;
    my $got = read $fh, $buf, $n;
    die "/dev/urandom: short read\n" unless defined $got && $got == $n;
    close $fh;
    return $buf;
}

sub _write_private {
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
    _write_private($ignore, "*\n") unless -e $ignore;

    my $keys = catfile($dir, 'main.keys');
    unless (-e $keys) {
        my $text = "# mod_stepup test keys, written by t/TEST.PL\n"
                 . "k1 " . StepupToken::b64url(_random_bytes(32)) . "\n"
                 . "\n"
                 . "# a second key: verifies, never signs (rotation)\n"
                 . "k2\t" . StepupToken::b64url(_random_bytes(48)) . "\n";
        _write_private($keys, $text);
    }

    my $htpasswd = catfile($dir, 'htpasswd');
    unless (-e $htpasswd) {
        my $text = '';
        for my $user (sort keys %PASSWORDS) {
            # {SHA}: base64 of SHA-1, understood by apr_password_validate
            $text .= "$user:{SHA}"
                   . encode_base64(sha1($PASSWORDS{$user}), '') . "\n";
        }
        _write_private($htpasswd, $text);
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
        push @keys, [ $kid, StepupToken::secret_from_b64url($secret) ];
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

# The whole error log of the test server.
sub error_log_text {
    require Apache::Test;
    my $file = catfile(Apache::Test::vars('t_logs'), 'error_log');
    open my $fh, '<', $file or return '';
    local $/;
    my $text = <$fh>;
    close $fh;
    return $text;
}

1;
