package PasskeyTest;

# SPDX-License-Identifier: Apache-2.0
# Helpers of the passkey and assurance tests (t/passkey_*.t, t/assurance.t),
# on top of StepupTest.pm and the software authenticator SoftAuthn.pm:
# - write_fixtures(): called by t/TEST.PL before httpd is configured; writes
#   into t/conf/stepup/ the users of t/conf/passkey.conf.in, the test CA
#   (StepupAttestationRoots) and the AAGUID list
#   (StepupHighAssuranceAAGUIDs);
# - the users (%USERS: with a password; %FEDERATED: known to the primary
#   authentication only), the listed AAGUIDs;
# - site(): a handler location of the test server as a site of the HTTP
#   client StepupClient.pm (status and CSRF, the ceremonies, the passkey
#   list), with tokens minted by StepupTest.pm for the ceremonies.

use strict;
use warnings;

use File::Spec::Functions qw(catfile);
use Exporter 'import';

use SoftAuthn ();
use StepupClient ();
use StepupTest ();
use StepupToken ();

our @EXPORT_OK = qw(%USERS %FEDERATED @LISTED_AAGUIDS $UNLISTED_AAGUID
                    pk_basic origin rp_id site token_for strong_token
                    password_token ca pk_dir);

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
#   resume.t            rhea
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
    rhea  => 'rhea-pw-Jc19',
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

# A valid pwd token for $user (the suite's key k1), minted in Perl.
sub token_for {
    my ($user, %o) = @_;
    return StepupTest::token(user => $user, %o);
}

# A token of the highest level (phrh): what changing the passkeys of a
# user who has a security key needs; the ceremonies' default.
sub strong_token {
    my ($user, %o) = @_;
    return token_for($user, acr => 'phrh', amr => 'hwk', %o);
}

# The handler at $path of the test server as a site of StepupClient.pm:
# the users above, the server's origin, a phrh token for the ceremonies,
# one CSRF token kept per user. A site reads as its path in a string, so
# that "${B}manage" is the manage page of site $B.
my %sites;
sub site {
    my ($path) = @_;
    require Apache::TestRequest;
    return $sites{$path} ||= bless {
        url => origin(), handler => $path, users => { %USERS, %FEDERATED },
        origin => origin(), rp_id => rp_id(), token => \&strong_token,
        csrf => {},
    }, 'PasskeyTest::Site';
}

# A pwd token from a real password step-up at $site (what a one-time
# location needs: the module keeps a mark for the tokens it mints).
sub password_token {
    my ($site, $user) = @_;
    my $res = StepupClient::password($site, $user);
    my $t = StepupToken::token_from($res);
    die 'password step-up for ' . $user . ': ' . $res->status_line . "\n"
        unless defined $t;
    return $t;
}

package PasskeyTest::Site;

use overload '""' => sub { $_[0]{handler} }, fallback => 1;

1;
