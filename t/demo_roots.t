# SPDX-License-Identifier: Apache-2.0
# The demo's attestation roots (conf/demo/attestation-roots.pem, its
# StepupAttestationRoots) against real YubiKey registrations recorded by
# other projects' test suites (../shared/webauthn/vectors.json, read in
# place): each attestation verifies to the demo's Yubico root
# (attestation_trusted, what makes a listed device-bound key phrh in the
# demo), and the same attestation with another vendor's root as the anchor
# does not (stepupctl refuses it; the module would register it as phr).
# Plain Test::More: runs the built stepupctl, no httpd.
use strict;
use warnings;

use Test::More;
use FindBin;
use File::Spec;
use File::Temp qw(tempdir);
use JSON::PP;
use POSIX ();

my $vectors = $ENV{STEPUP_WEBAUTHN_VECTORS}
    || File::Spec->catfile($FindBin::Bin, File::Spec->updir,
                           File::Spec->updir, 'shared', 'webauthn',
                           'vectors.json');
plan skip_all => "WebAuthn vectors not found ($vectors)" unless -r $vectors;
my $bin = $ENV{STEPUPCTL}
    || File::Spec->catfile($FindBin::Bin, File::Spec->updir, 'tools',
                           'stepupctl');
plan skip_all => "stepupctl not built ($bin)" unless -x $bin;
my $roots = File::Spec->catfile($FindBin::Bin, File::Spec->updir, 'conf',
                                'demo', 'attestation-roots.pem');

# recorded YubiKeys whose x5c[0] Yubico's U2F root issued
my @ids = qw(reg-py-packed-yubikey-firefox-yubico-root-ok
             reg-py-packed-yubikey-eddsa-yubico-root-ok
             reg-swa-packed-x5c-yubico-root-ok);

my $json = JSON::PP->new->canonical;
my $doc = $json->decode(slurp($vectors));
my %by_id = map { $_->{id} => $_ } @{ $doc->{vectors} || [] };
my $dir = tempdir(CLEANUP => 1);
my $seq = 0;

sub slurp {
    my ($path) = @_;
    open my $fh, '<', $path or return '';
    local $/;
    my $t = <$fh>;
    return defined $t ? $t : '';
}

sub spew {
    my ($path, $text) = @_;
    open my $fh, '>', $path or die "$path: $!";
    print $fh $text;
    close $fh or die "$path: $!";
    return $path;
}

# stepupctl webauthn verify-registration of vector $v with roots $pem:
# (exit code, stdout, stderr)
sub verify {
    my ($v, $pem) = @_;
    my $n = ++$seq;
    my ($in, $out, $err) = map { "$dir/run$n.$_" } qw(in out err);
    spew($in, $json->encode({
        id => $v->{credential_id}, rawId => $v->{credential_id},
        type => 'public-key', clientExtensionResults => {},
        response => { clientDataJSON => $v->{client_data_json},
                      attestationObject => $v->{attestation_object},
                      transports => [] } }));
    my @origins = ref $v->{expected_origin} eq 'ARRAY'
        ? @{ $v->{expected_origin} } : ($v->{expected_origin});
    my $pid = fork;
    die "fork: $!" unless defined $pid;
    if (!$pid) {
        open STDIN, '<', $in or POSIX::_exit(126);
        open STDOUT, '>', $out or POSIX::_exit(126);
        open STDERR, '>', $err or POSIX::_exit(126);
        exec $bin, 'webauthn', 'verify-registration', '--rp-id', $v->{rp_id},
            '--challenge', $v->{expected_challenge},
            (map { ('--origin', $_) } @origins), '--attestation-roots', $pem
            or POSIX::_exit(127);
    }
    waitpid $pid, 0;
    return ($? >> 8, slurp($out), slurp($err));
}

is(scalar(grep { $by_id{$_} } @ids), scalar @ids,
   'the recorded YubiKey registrations are in vectors.json');
my $other = spew("$dir/other-root.pem",
                 $doc->{trust_anchors}{apple_webauthn_root_ca} || '');
for my $id (@ids) {
    my $v = $by_id{$id} || {};
    my ($rc, $out, $err) = verify($v, $roots);
    is($rc, 0, "$id: verifies with the demo's roots ($err)");
    my $got = eval { $json->decode($out) } || {};
    is($got->{attestation_trusted} ? 'trusted' : 'untrusted', 'trusted',
       "$id: attestation_trusted with the demo's roots (Yubico's)");
    ($rc, $out, $err) = verify($v, $other);
    like("$rc $err", qr/^1 .*does not reach a configured root/,
         "$id: with another vendor's root as the anchor: not trusted, refused");
}

done_testing();
