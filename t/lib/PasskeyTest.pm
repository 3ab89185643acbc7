package PasskeyTest;

# Helpers of the passkey and assurance tests (t/passkey_*.t, t/assurance.t),
# on top of StepupTest.pm and the software authenticator SoftAuthn.pm:
# - write_fixtures(): called by t/TEST.PL before httpd is configured; writes
#   into t/conf/stepup/ the users of t/conf/passkey.conf.in, the test CA
#   (StepupAttestationRoots) and the AAGUID list
#   (StepupHighAssuranceAAGUIDs);
# - the users (%USERS: with a password; %FEDERATED: known to the primary
#   authentication only), the listed AAGUIDs;
# - the ceremonies over HTTP: status (CSRF), register begin/finish, passkey
#   begin/finish, the passkey list, deletion;
# - configtest(): httpd -t on a small configuration (start-up refusals).

use strict;
use warnings;

use File::Spec::Functions qw(catfile);
use JSON::PP ();
use POSIX ();
use Exporter 'import';

use SoftAuthn ();
use StepupTest ();
use StepupToken ();

our @EXPORT_OK = qw(%USERS %FEDERATED @LISTED_AAGUIDS $UNLISTED_AAGUID
                    pk_basic origin rp_id authn json_of err_of csrf status
                    post_json register_begin register_finish register
                    login_begin login_finish login passkeys wipe
                    token_for strong_token token_from cookie log_offset log_since
                    configtest ca pk_dir race decoded);

# Users of conf/stepup/passkey.htpasswd (the primary authentication of
# /pk/), and of conf/stepup/passkey-passwords.htpasswd (StepupAuthnProvider
# pk_passwords): each test file has users of its own, since the passkey
# store is shared by the whole server.
#   passkey_register.t  pat, quinn (+ fed, federated)
#   passkey_assert.t    ada, ben
#   passkey_manage.t    max, mia (+ finn, federated)
#   assurance.t         hana, hugo, hal
#   passkey_uv.t        uma
#   passkey_bind.t      bea
#   passkey_u2f.t       ulf
#   token_connection.t  kim
#   passkey_enrol.t     enzo, elsa, edda (+ fay, flo, federated)
our %USERS = (
    pat   => 'pat-pw-Lk28',
    quinn => 'quinn-pw-Wd73',
    ada   => 'ada-pw-Pv09',
    ben   => 'ben-pw-Yc44',
    max   => 'max-pw-Tr51',
    mia   => 'mia-pw-Gs66',
    hana  => 'hana-pw-Bx13',
    hugo  => 'hugo-pw-Mn85',
    hal   => 'hal-pw-Qa37',
    uma   => 'uma-pw-Rf48',
    bea   => 'bea-pw-Hn27',
    ulf   => 'ulf-pw-Vc35',
    kim   => 'kim-pw-Tz61',
    enzo  => 'enzo-pw-Kb52',
    elsa  => 'elsa-pw-Dq74',
    edda  => 'edda-pw-Wm38',
);

# Signed in by the primary authentication, unknown to pk_passwords: no
# password to confirm with (a federated user; StepupHasPassword says so in
# t/conf/passkey.conf.in).
our %FEDERATED = (
    fed  => 'fed-pw-Ju20',
    finn => 'finn-pw-Ez92',
    fay  => 'fay-pw-Lr46',
    flo  => 'flo-pw-Ys83',
);

# conf/stepup/passkey-aaguids.txt
our @LISTED_AAGUIDS = (
    'cb69481e-8ff7-4039-93ec-0a2729a154a8',
    '2fc0579f-8113-47ea-b116-bb5a8db9202a',
);
our $UNLISTED_AAGUID = 'ee882879-721c-4913-9775-3dfcce97072a';

# ---- fixtures (t/TEST.PL) -------------------------------------------------

# Writes into $tdir/conf/stepup/ (made by StepupTest::write_fixtures):
# passkey.htpasswd, passkey-passwords.htpasswd, passkey-aaguids.txt and the
# test CA passkey-ca.{key,pem}. Existing files are kept (a server still
# running from an earlier -start).
sub write_fixtures {
    my ($tdir) = @_;
    my $dir = StepupTest::write_fixtures($tdir);
    my %all = (%USERS, %FEDERATED);
    my %files = (
        'passkey.htpasswd' =>
            join('', map { StepupTest::htpasswd_line($_, $all{$_}) } sort keys %all),
        'passkey-passwords.htpasswd' =>
            join('', map { StepupTest::htpasswd_line($_, $USERS{$_}) }
                     sort keys %USERS),
        'passkey-aaguids.txt' =>
            "# high-assurance authenticator models (t/assurance.t)\n"
            . join('', map { "$_\n" } @LISTED_AAGUIDS),
    );
    for my $name (sort keys %files) {
        my $path = catfile($dir, $name);
        StepupTest::write_private($path, $files{$name}) unless -e $path;
    }
    SoftAuthn::make_ca($dir, 'passkey-ca', cn => 'mod_stepup test '
                       . 'attestation root')
        unless -e catfile($dir, 'passkey-ca.pem');
    return $dir;
}

# ---- what the tests use ---------------------------------------------------

sub pk_dir { StepupTest::conf_dir() }

# The test CA of StepupAttestationRoots (for SoftAuthn::make_attestation_cert).
sub ca {
    my $dir = pk_dir();
    return { key => catfile($dir, 'passkey-ca.key'),
             cert => catfile($dir, 'passkey-ca.pem') };
}

sub pk_basic {
    my ($user) = @_;
    my $pw = exists $USERS{$user} ? $USERS{$user} : $FEDERATED{$user};
    die "no such test user $user\n" unless defined $pw;
    return StepupTest::basic($user, $pw);
}

sub origin {
    require Apache::TestRequest;
    return 'http://' . Apache::TestRequest::hostport();
}

sub rp_id {
    require Apache::TestRequest;
    (my $host = Apache::TestRequest::hostport()) =~ s/:\d+$//;
    return $host;
}

# A software authenticator for this server's origin and RP ID.
sub authn {
    my (%o) = @_;
    return SoftAuthn->new(origin => origin(), rp_id => rp_id(), %o);
}

sub json_of {
    my ($res) = @_;
    my $v = eval { JSON::PP->new->decode($res->content) };
    return ref $v ? $v : undef;
}

# The reason of a refusal: the "error" of the JSON body, else the body.
sub err_of {
    my ($res) = @_;
    my $j = json_of($res);
    return ref $j eq 'HASH' && defined $j->{error} ? $j->{error}
         : $res->content;
}

# A valid pwd token for $user (the suite's key k1), minted in Perl.
sub token_for {
    my ($user, %o) = @_;
    return StepupTest::token(user => $user, %o);
}

# A pwd token from a real password step-up at $base (what a one-time
# location needs: the module keeps a mark for the tokens it mints).
sub password_token {
    my ($base, $user) = @_;
    require Apache::TestRequest;
    my $res = Apache::TestRequest::POST("${base}password", pk_basic($user),
        Accept => 'application/json',
        content => [ password => $USERS{$user}, csrf => csrf($base, $user),
                     return_to => '/' ]);
    my $t = token_from($res);
    die 'password step-up for ' . $user . ': ' . $res->status_line . "\n"
        unless defined $t;
    return $t;
}

# A token of the highest level (phrh): what changing the passkeys of a
# user who has a security key needs (DESIGN 5); the ceremonies' default.
sub strong_token {
    my ($user, %o) = @_;
    return token_for($user, acr => 'phrh', amr => 'hwk', %o);
}

sub cookie {
    my ($token) = @_;
    return defined $token ? (Cookie => "stepup=$token") : ();
}

# The step-up token set by a response, or undef.
sub token_from {
    my ($res) = @_;
    for my $line ($res->header('Set-Cookie')) {
        return $1 if defined $line && $line =~ /^stepup=([^;]*)/;
    }
    return undef;
}

# GET <base>status as $user: the decoded JSON (with csrf).
sub status {
    my ($base, $user, @headers) = @_;
    require Apache::TestRequest;
    my $res = Apache::TestRequest::GET("${base}status", pk_basic($user),
                                       Accept => 'application/json',
                                       @headers);
    return json_of($res) || {};
}

my %csrf_cache;
sub csrf {
    my ($base, $user) = @_;
    return $csrf_cache{"$base|$user"} ||= status($base, $user)->{csrf};
}

# POST a JSON body (a reference: encoded; a string: sent as is) to $path
# as $user. Options: csrf (default: a valid one; undef: none), token (a
# step-up cookie), type (Content-Type), headers (more headers).
sub post_json {
    my ($base, $endpoint, $user, $body, %o) = @_;
    require Apache::TestRequest;
    my $csrf = exists $o{csrf} ? $o{csrf} : csrf($base, $user);
    my $type = exists $o{type} ? $o{type} : 'application/json';
    my $content = ref $body ? SoftAuthn::to_json($body)
                : defined $body ? $body : '';
    return Apache::TestRequest::POST("$base$endpoint", pk_basic($user),
        Accept => 'application/json',
        (defined $csrf ? ('X-Stepup-CSRF' => $csrf) : ()),
        (defined $type ? ('Content-Type' => $type) : ()),
        cookie($o{token}),
        @{ $o{headers} || [] },
        content => $content);
}

# register/begin: (response, options or undef). Options: token (default a
# fresh phrh token, enough whatever passkeys the user has; undef: none),
# name, return_to, and post_json's.
sub register_begin {
    my ($base, $user, %o) = @_;
    my $token = exists $o{token} ? $o{token} : strong_token($user);
    my %args;
    $args{name} = $o{name} if defined $o{name};
    $args{return_to} = $o{return_to} if defined $o{return_to};
    my $res = post_json($base, 'passkey/register/begin', $user, \%args,
                        %o, token => $token);
    return ($res, $res->code == 200 ? json_of($res) : undef);
}

sub register_finish {
    my ($base, $user, $body, %o) = @_;
    my $token = exists $o{token} ? $o{token} : strong_token($user);
    return post_json($base, 'passkey/register/finish', $user, $body, %o,
                     token => $token);
}

# The whole registration of $authn's credential: the finish response (the
# begin response when begin fails). Options: token, name, over (hash of
# SoftAuthn overrides).
sub register {
    my ($authn, $base, $user, %o) = @_;
    my ($res, $opts) = register_begin($base, $user, %o);
    return $res unless $opts;
    my $reg = $authn->register($opts, %{ $o{over} || {} });
    return register_finish($base, $user, $reg, %o);
}

# passkey/begin: (response, options or undef). Options: acr, return_to.
sub login_begin {
    my ($base, $user, %o) = @_;
    my %args;
    $args{acr} = $o{acr} if defined $o{acr};
    $args{return_to} = $o{return_to} if defined $o{return_to};
    my $res = post_json($base, 'passkey/begin', $user, \%args, %o);
    return ($res, $res->code == 200 ? json_of($res) : undef);
}

sub login_finish {
    my ($base, $user, $body, %o) = @_;
    return post_json($base, 'passkey/finish', $user, $body, %o);
}

# A whole step-up with $authn: the finish response (or begin's on failure).
sub login {
    my ($authn, $base, $user, %o) = @_;
    my ($res, $opts) = login_begin($base, $user, %o);
    return $res unless $opts;
    return login_finish($base, $user,
                        $authn->assert($opts, %{ $o{over} || {} }), %o);
}

# A Location (or any URL) as "URL-without-query name=value&...", the query
# decoded: what a redirect means, whatever its escaping.
sub decoded {
    my ($loc) = @_;
    return 'none' unless defined $loc;
    require URI;
    my $u = URI->new($loc);
    my @q = $u->query_form;
    my @pairs;
    push @pairs, shift(@q) . '=' . shift(@q) while @q;
    $u->query(undef);
    return "$u " . join('&', @pairs);
}

# GET <base>passkeys: the list (array of hashes), or undef.
sub passkeys {
    my ($base, $user) = @_;
    require Apache::TestRequest;
    my $res = Apache::TestRequest::GET("${base}passkeys", pk_basic($user),
                                       Accept => 'application/json');
    my $j = json_of($res);
    return ref $j eq 'HASH' && ref $j->{passkeys} eq 'ARRAY'
        ? $j->{passkeys} : undef;
}

# Removes every passkey of $user (a rerun on the same server starts clean).
sub wipe {
    my ($base, $user) = @_;
    for my $p (@{ passkeys($base, $user) || [] }) {
        post_json($base, 'passkeys/delete', $user, { id => $p->{id} },
                  token => strong_token($user));
    }
}

# race($n, $sub): runs $sub (which makes one request and returns the
# response) in $n processes at once; returns their status codes, sorted.
sub race {
    my ($n, $sub) = @_;
    pipe my $rd, my $wr or die "pipe: $!";
    my @pids;
    for (1 .. $n) {
        my $pid = fork;
        die "fork: $!" unless defined $pid;
        if (!$pid) {
            close $rd;
            my $code = eval { $sub->()->code } || 'died';
            syswrite $wr, "$code\n";
            POSIX::_exit(0);    # no Test::Builder ending in the child
        }
        push @pids, $pid;
    }
    close $wr;
    my @codes = map { chomp; $_ } <$rd>;
    close $rd;
    waitpid $_, 0 for @pids;
    return sort @codes;
}

# ---- the error log, httpd -t: StepupTest's ----------------------------------

*log_offset = \&StepupTest::log_offset;
*log_since = \&StepupTest::log_since;
*workdir = \&StepupTest::workdir;
*work_file = \&StepupTest::work_file;
*configtest = \&StepupTest::configtest;

1;
