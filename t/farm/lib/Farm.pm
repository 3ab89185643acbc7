package Farm;

# SPDX-License-Identifier: Apache-2.0
# Helpers of the farm and fault tests (t/farm/*.t), run by
# scripts/farm-test.sh, which starts Redis, memcached and PostgreSQL on
# 127.0.0.1 and exports where they are (FARM_*). Here: httpd servers with
# mod_stepup (written like conf/demo/httpd.conf.in, on free loopback ports,
# one key file per farm), each server a site of the HTTP client
# t/lib/StepupClient.pm (requests, the password and passkey ceremonies),
# tokens minted with the farm's key by the token oracle t/lib/StepupToken.pm,
# stopping and restarting the cache and the database. Every server started
# here is stopped in END.

use strict;
use warnings;

use File::Path qw(make_path);
use File::Spec::Functions qw(catfile);
use IO::Socket::INET ();
use POSIX ();
use Time::HiRes ();

use FindBin;
use lib "$FindBin::Bin/../lib";
use StepupClient ();
use StepupTest ();
use StepupToken ();

our $TOP = $ENV{FARM_TOP} || "$FindBin::Bin/../..";
our $DIR = $ENV{FARM_DIR} or die "FARM_DIR is not set: run scripts/farm-test.sh\n";
our $HTTPD = $ENV{FARM_HTTPD} || '/usr/sbin/apache2';
our $MODULE = $ENV{FARM_MODULE} || "$TOP/.libs/mod_stepup.so";
our $MODDIR = $ENV{FARM_MODDIR} || '/usr/lib/apache2/modules';
our $RP_ID = 'localhost';
# the origin of the (imaginary) load balancer in front of the farm
our $ORIGIN = 'http://localhost:8443';
our $MAX_ATTEMPTS = 3;

our %PASSWORDS;    # user => password of every farm's htpasswd

# What every server of every farm is as a site of StepupClient.pm (its url
# is its own): the handler at /stepup/, the farm's users, the public origin,
# a step-up that returns to /account/.
our $SITE = { handler => '/stepup/', users => \%PASSWORDS, origin => $ORIGIN,
              rp_id => $RP_ID, return_to => '/account/' };

my @started;       # httpd config files to stop in END
my $seq = 0;

sub redis_spec    { "redis:127.0.0.1:$ENV{FARM_REDIS_PORT}" }
sub memcache_spec { "memcache:127.0.0.1:$ENV{FARM_MEMCACHED_PORT}" }

sub _write {
    my ($path, $text, $mode) = @_;
    open my $fh, '>', $path or die "$path: $!";
    print $fh $text;
    close $fh or die "$path: $!";
    chmod $mode, $path if defined $mode;
}

sub _run {
    my (@cmd) = @_;
    my $out = `@cmd 2>&1`;
    return ($? >> 8, $out);
}

# A key line "KID SECRET" from stepupctl.
sub keygen {
    my ($kid) = @_;
    my $line = `$TOP/tools/stepupctl keygen $kid`;
    die "stepupctl keygen failed\n" if $?;
    chomp $line;
    return $line;
}

sub secret_of {
    my ($line) = @_;
    my (undef, $b64) = split ' ', $line;
    return StepupToken::b64url_decode($b64);
}

sub write_keys {
    my ($farm, @lines) = @_;
    _write($farm->{keys}, join('', map { "$_\n" } @lines), 0600);
    $farm->{key_lines} = [@lines];
}

# new_farm(cache => SPEC, users => {u => pw}, servers => 2, conf => TEXT):
# a key file, an htpasswd and N httpd servers (started) sharing them.
sub new_farm {
    my (%o) = @_;
    my $name = 'farm' . ++$seq . "-$$";
    my $dir = catfile($DIR, $name);
    make_path($dir);
    chmod 0755, $dir;
    my $farm = bless { dir => $dir, cache => $o{cache}, servers => [],
                       keys => catfile($dir, 'stepup.keys'),
                       conf => $o{conf} || '' }, 'Farm::Pair';
    write_keys($farm, keygen('k1'));
    my %users = %{ $o{users} || {} };
    %PASSWORDS = (%PASSWORDS, %users);
    my $ht = catfile($dir, 'users');
    unlink $ht;
    for my $u (sort keys %users) {
        my ($rc, $out) = _run('htpasswd', '-bm', (-e $ht ? () : '-c'), $ht,
                              $u, $users{$u});
        die "htpasswd: $out" if $rc;
    }
    chmod 0644, $ht;
    for my $i (1 .. ($o{servers} || 2)) {
        my $s = _server($farm, chr(ord('a') + $i - 1));
        push @{ $farm->{servers} }, $s;
        start($s) unless $o{no_start};
    }
    return $farm;
}

sub _server {
    my ($farm, $label) = @_;
    my $dir = catfile($farm->{dir}, $label);
    make_path("$dir/htdocs/account", "$dir/htdocs/stepup");
    _write("$dir/htdocs/account/index.html", "account page\n");
    _write("$dir/htdocs/index.html", "home\n");
    my $port = StepupTest::free_port();
    my $s = { %$SITE, label => $label, dir => $dir, port => $port,
              farm => $farm,
              conf => "$dir/httpd.conf", pidfile => "$dir/httpd.pid",
              error_log => "$dir/error_log",
              url => "http://127.0.0.1:$port" };
    write_conf($s);
    return $s;
}

sub write_conf {
    my ($s) = @_;
    my $farm = $s->{farm};
    my $dir = $s->{dir};
    my $ug = $> == 0 ? "User www-data\nGroup www-data" : '';
    my $cache_mod = $farm->{cache} =~ /^redis:/ ? 'socache_redis'
                  : $farm->{cache} =~ /^memcache:/ ? 'socache_memcache'
                  : 'socache_shmcb';
    my $users = catfile($farm->{dir}, 'users');
    _write($s->{conf}, <<EOC);
# written by t/farm/lib/Farm.pm (server $s->{label} of $farm->{dir})
ServerRoot "$dir"
Listen 127.0.0.1:$s->{port}
ServerName 127.0.0.1:$s->{port}
PidFile "$s->{pidfile}"
ErrorLog "$s->{error_log}"
DefaultRuntimeDir "$dir"
LogLevel info
$ug
LoadModule mpm_event_module $MODDIR/mod_mpm_event.so
LoadModule authn_core_module $MODDIR/mod_authn_core.so
LoadModule authn_file_module $MODDIR/mod_authn_file.so
LoadModule authz_core_module $MODDIR/mod_authz_core.so
LoadModule authz_user_module $MODDIR/mod_authz_user.so
LoadModule auth_basic_module $MODDIR/mod_auth_basic.so
LoadModule mime_module $MODDIR/mod_mime.so
LoadModule dir_module $MODDIR/mod_dir.so
LoadModule ${cache_mod}_module $MODDIR/mod_$cache_mod.so
LoadModule dbd_module $MODDIR/mod_dbd.so
LoadModule stepup_module $MODULE
TypesConfig /etc/mime.types
DirectoryIndex index.html
DocumentRoot "$dir/htdocs"
LogFormat "%h %u \\"%r\\" %>s %b" farm
CustomLog "$dir/access_log" farm
MaxRequestWorkers 150
GracefulShutdownTimeout 10
MaxKeepAliveRequests 0
StartServers 6
MinSpareThreads 25
MaxSpareThreads 150
ThreadsPerChild 25
ServerLimit 16

StepupKeyFile "$farm->{keys}"
StepupCache $farm->{cache}
StepupLifetime 600

DBDriver pgsql
DBDParams "host=127.0.0.1 port=$ENV{FARM_PG_PORT} dbname=stepup user=stepup connect_timeout=3"
DBDMin 0
DBDKeep 4
DBDMax 16

<Location />
    AuthType Basic
    AuthName "mod_stepup farm"
    AuthUserFile "$users"
    Require valid-user
    StepupRPID $RP_ID
    StepupOrigin $ORIGIN
</Location>
<Location /stepup/>
    SetHandler stepup
    StepupMaxAttempts $MAX_ATTEMPTS 300
</Location>
<Location /account/>
    Require stepup max-age=300
</Location>
$farm->{conf}
EOC
}

# new_farm under a clock of its own (libfaketime, LD_PRELOAD): the farm's
# servers read the offset from a file at every call, so server_clock
# (seconds ahead of the real clock) moves it while they run; monotonic
# clocks are left alone.
my $clock_file;
sub server_clock {
    my ($seconds) = @_;
    die "server_clock: no farm with a clock yet (new_farm_with_clock)\n"
        unless $clock_file;
    open my $fh, '>', "$clock_file.new" or die "$clock_file: $!";
    print $fh "+$seconds\n";
    close $fh or die "$clock_file: $!";
    chmod 0644, "$clock_file.new";
    rename "$clock_file.new", $clock_file or die "$clock_file: $!";
}

sub new_farm_with_clock {
    my (%o) = @_;
    my ($faketime) = glob '/usr/lib/*/faketime/libfaketimeMT.so.1';
    die "libfaketime is not installed (scripts/farm-test.sh installs it)\n"
        unless $faketime && -e $faketime;
    unless ($clock_file) {
        my $dir = catfile($DIR, "clock-$$");
        make_path($dir);
        chmod 0755, $dir;
        $clock_file = catfile($dir, 'offset');
    }
    server_clock(0);
    local $ENV{LD_PRELOAD} = $faketime;
    local $ENV{FAKETIME_TIMESTAMP_FILE} = $clock_file;
    local $ENV{FAKETIME_NO_CACHE} = 1;
    local $ENV{FAKETIME_DONT_FAKE_MONOTONIC} = 1;
    return new_farm(%o);
}

sub _pid {
    my ($s) = @_;
    open my $fh, '<', $s->{pidfile} or return;
    my $pid = <$fh>;
    close $fh;
    return ($pid && $pid =~ /^(\d+)/) ? $1 : undef;
}

sub wait_up {
    my ($s, $secs) = @_;
    my $until = Time::HiRes::time() + ($secs || 15);
    while (Time::HiRes::time() < $until) {
        my $c = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                      PeerPort => $s->{port}, Timeout => 1);
        return 1 if $c;
        Time::HiRes::sleep(0.1);
    }
    return 0;
}

sub start {
    my ($s) = @_;
    my ($rc, $out) = _run($HTTPD, '-f', $s->{conf}, '-k', 'start');
    die "httpd $s->{label} did not start ($rc): $out" . error_log($s) if $rc;
    push @started, $s unless grep { $_ == $s } @started;
    wait_up($s) or die "httpd $s->{label} is not listening:\n" . error_log($s);
}

sub stop {
    my ($s) = @_;
    my $pid = _pid($s) or return;
    _run($HTTPD, '-f', $s->{conf}, '-k', 'stop');
    for (1 .. 100) {
        last unless kill 0, $pid;
        Time::HiRes::sleep(0.1);
    }
    kill 'KILL', $pid if kill 0, $pid;
    unlink $s->{pidfile};
}

sub graceful {
    my ($s) = @_;
    my ($rc, $out) = _run($HTTPD, '-f', $s->{conf}, '-k', 'graceful');
    die "graceful $s->{label}: $out" if $rc;
}

sub error_log {
    my ($s, $offset) = @_;
    return StepupTest::slurp($s->{error_log}, $offset);
}
sub log_offset { -s $_[0]->{error_log} || 0 }

# Starts @cmd (a load tool) in the background, its output (stdout and
# stderr) to the file $out; returns its pid.
sub spawn {
    my ($out, @cmd) = @_;
    my $pid = fork;
    die "fork: $!" unless defined $pid;
    return $pid if $pid;
    open STDOUT, '>', $out or POSIX::_exit(126);
    open STDERR, '>&', \*STDOUT;
    exec @cmd or POSIX::_exit(127);
}

# httpd children's RSS (kB) for the server, by pid: {pid => kB}.
sub rss {
    my ($s) = @_;
    my $ppid = _pid($s) or return {};
    my %r;
    for my $line (`ps -o pid=,ppid=,rss= -e`) {
        my ($pid, $pp, $kb) = split ' ', $line;
        $r{$pid} = $kb if $pid == $ppid || $pp == $ppid;
    }
    return \%r;
}

END {
    my $status = $?;
    stop($_) for @started;
    $? = $status;
}

# ---- tokens, retries, the protected page ----------------------------------

# A valid token for $user under the farm's first key (or kid/secret given).
sub token_for {
    my ($farm, $user, %o) = @_;
    my ($kid) = split ' ', $farm->{key_lines}[0];
    return StepupToken::mint(secret => secret_of($farm->{key_lines}[0]),
                             kid => $kid, user => $user, %o);
}

# After a cache or database comes back, each httpd child (apr_redis and
# apr_memcache mark a server dead per child for a while) and each pooled
# database connection that died with it (mod_dbd replaces it on its next
# use) may still answer 503 once: fail closed, as designed. The checks
# after a recovery therefore retry for a while and report the time taken.
#
# until_ok(SUB, SECONDS): calls SUB (it returns a response) until one is
# 200; returns the last response and the seconds taken.
sub until_ok {
    my ($sub, $seconds) = @_;
    my ($res, $t0) = (undef, Time::HiRes::time());
    while (1) {
        $res = $sub->();
        last if $res->code == 200 || Time::HiRes::time() - $t0 > ($seconds || 20);
        Time::HiRes::sleep(0.5);
    }
    return ($res, Time::HiRes::time() - $t0);
}

# A passkey step-up begun on one server and finished on another, the pair
# retried as above (a finish is only tried with a challenge from a begin
# that succeeded): (the last finish or failed begin, seconds).
sub passkey_stepup_until_ok {
    my ($begin_on, $finish_on, $user, $authn, $seconds) = @_;
    return until_ok(sub {
        my ($b, $o) = StepupClient::login_begin($begin_on, $user);
        return $b unless $b->code == 200;
        return StepupClient::login_finish($finish_on, $user,
                                          $authn->assert($o));
    }, $seconds);
}

# register/begin retried as above; the options of the one that succeeded.
sub register_begin_until_ok {
    my ($s, $user, %o) = @_;
    my ($res) = until_ok(
        sub { (StepupClient::register_begin($s, $user, %o))[0] });
    return ($res, $res->code == 200 ? StepupClient::json_of($res) : undef);
}

sub protected {
    my ($s, $user, $token) = @_;
    return StepupClient::request($s, 'GET', '/account/', $user,
                   headers => [Accept => 'application/json'],
                   token => $token);
}

# ---- the cache and the database ---------------------------------------------

sub _pidfile_pid {
    my ($f) = @_;
    open my $fh, '<', $f or return;
    my $p = <$fh>;
    return ($p && $p =~ /(\d+)/) ? $1 : undef;
}

sub _port_open {
    my ($port) = @_;
    return IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
                                 Timeout => 1) ? 1 : 0;
}

sub _wait_port {
    my ($port, $open) = @_;
    for (1 .. 100) {
        return 1 if _port_open($port) == $open;
        Time::HiRes::sleep(0.1);
    }
    return 0;
}

# The farm-test.sh servers, stopped and started again with the same
# command line ($FARM_DIR/<name>.cmd).
sub cache_stop {
    my ($which) = @_;    # redis | memcached
    my $pid = _pidfile_pid("$DIR/$which.pid") or die "no $which pid";
    kill 'TERM', $pid;
    for (1 .. 100) { last unless kill 0, $pid; Time::HiRes::sleep(0.1) }
    my $port = $which eq 'redis' ? $ENV{FARM_REDIS_PORT}
                                 : $ENV{FARM_MEMCACHED_PORT};
    return _wait_port($port, 0);
}

sub cache_start {
    my ($which) = @_;
    my ($rc, $out) = _run('bash', "$DIR/$which.cmd");
    die "$which start: $out" if $rc;
    my $port = $which eq 'redis' ? $ENV{FARM_REDIS_PORT}
                                 : $ENV{FARM_MEMCACHED_PORT};
    return _wait_port($port, 1);
}

sub pg_ctl { my ($what) = @_; _run('bash', "$DIR/pg.cmd", $what) }

# psql as the database owner: (exit status, output)
sub psql {
    my ($sql) = @_;
    return _run('psql', '-X', '-q', '-t', '-A', '-h', '127.0.0.1',
                '-p', $ENV{FARM_PG_PORT}, '-U', 'stepup', '-d', 'stepup',
                '-c', quotemeta($sql));
}

sub db_rows {
    my ($user) = @_;
    my ($rc, $out) = psql("SELECT count(*) FROM stepup_credentials WHERE "
                          . "user_name = '$user'");
    chomp $out;
    return $rc ? "psql failed: $out" : $out;
}

package Farm::Pair;
sub a { $_[0]{servers}[0] }
sub b { $_[0]{servers}[1] }
sub servers { @{ $_[0]{servers} } }

1;
