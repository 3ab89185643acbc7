# SPDX-License-Identifier: Apache-2.0
# WebAuthn conformance: every ceremony of the shared hold-out vectors
# (../shared/webauthn/vectors.json, read in place, never copied) fed to
# "stepupctl webauthn verify-registration|verify-authentication"
# as the standard RegistrationResponseJSON / AuthenticationResponseJSON.
# Plain Test::More: runs the built binary and needs no httpd.
#   vectors: $ENV{STEPUP_WEBAUTHN_VECTORS}, else /work/shared/... found as
#            t/../../shared/webauthn/vectors.json
#   binary:  $ENV{STEPUPCTL}, else tools/stepupctl next to this t/
#
# Two tests per vector: the verdict (exit 0 for "ok", exit 1 for "fail"),
# then for "ok" the facts stepupctl reports against expected_result, for
# "fail" the shape of the refusal (nothing on stdout, one reason line on
# stderr). "core" vectors always count; an "optional" vector counts when
# its feature exists here (trust anchors, certificates checked at the
# recorded instant with --now, cross-origin allowed, the token binding
# status check, ...) and is skipped, with the reason, otherwise (the AppID
# extension). A vector whose feature this file does not name fails: a new
# kind of optional vector is decided here, never skipped by default.
# A vector with verify_at is checked at that instant (--now), its
# certificates' dates included.
use strict;
use warnings;

use Test::More;
use FindBin;
use File::Spec;
use File::Temp qw(tempdir);
use JSON::PP;
use MIME::Base64 qw(decode_base64url);
use POSIX ();

my $vectors = $ENV{STEPUP_WEBAUTHN_VECTORS}
    || File::Spec->catfile($FindBin::Bin, File::Spec->updir,
                           File::Spec->updir, 'shared', 'webauthn',
                           'vectors.json');
plan skip_all => "WebAuthn vectors not found ($vectors)" unless -r $vectors;

my $bin = $ENV{STEPUPCTL}
    || File::Spec->catfile($FindBin::Bin, File::Spec->updir, 'tools',
                           'stepupctl');
BAIL_OUT("STEPUPCTL=$bin is not executable")
    if $ENV{STEPUPCTL} && !-x $bin;
plan skip_all => "stepupctl not built ($bin)" unless -x $bin;

my $json = JSON::PP->new->canonical;
my $doc = $json->decode(read_file($vectors));
my @vectors = @{ $doc->{vectors} || [] };
my %by_id = map { $_->{id} => $_ } @vectors;
my $anchors = $doc->{trust_anchors} || {};

# A vector checked at its recorded instant whose chain reaches the roots
# it names: checked again on 2000-01-01, before its certificates were
# issued, it must be refused for their dates (the dates are checked at
# --now, not skipped).
my @dated = grep { $_->{verify_at} && $_->{trust_anchors}
                   && $_->{expect} eq 'ok' && $_->{kind} eq 'registration' }
            @vectors;

# one check that the file is what this test reads, two per vector, one per
# dated vector

# Optional features of this implementation (tools/stepupctl.c and
# src/webauthn/).
my %feature = (
    trust_anchors      => 1,   # --attestation-roots
    cross_origin       => 1,   # --allow-cross-origin
    token_binding      => 1,   # tokenBinding.status checked when an object
    verify_time        => 1,   # --now: certificates at verify_at
    # the tpm formats' SAN only has to follow the TPM EK profile (WebAuthn
    # L3 8.3.1): any manufacturer id, the FIDO test vendor's included
    tpm_any_manufacturer => 1,
    # android-key (like every x5c format) verifies without roots; trust is
    # then not evaluated (attestation_trusted false)
    untrusted_attestation => 1,
    # android-safetynet is verified (src/webauthn/safetynet.c) and refuses
    # ctsProfileMatch false
    safetynet_cts      => 1,
    appid              => 0,   # FIDO AppID extension: not supported
);
my %feature_why = (
    appid => 'the FIDO AppID extension (U2F migration) is not supported '
           . 'by mod_stepup',
);

is(scalar(grep { ($_->{kind} || '') =~ /\A(registration|authentication)\z/
                 && ($_->{expect} || '') =~ /\A(ok|fail)\z/
                 && ($_->{tier} || '') =~ /\A(core|optional)\z/ } @vectors),
   scalar(@vectors), 'vectors.json: '.scalar(@vectors).' registration and '
   . 'authentication ceremonies, each with a kind, a tier and a verdict');

my $dir = tempdir(CLEANUP => 1);
my $seq = 0;
my %registered;   # registration vector id -> stepupctl output

sub read_file {
    my ($path) = @_;
    open my $fh, '<', $path or return '';
    local $/;
    my $text = <$fh>;
    return defined $text ? $text : '';
}

sub write_file {
    my ($path, $text) = @_;
    open my $fh, '>', $path or die "$path: $!";
    print $fh $text;
    close $fh or die "$path: $!";
    return $path;
}

# Runs stepupctl with @args and $stdin; returns (exit code, stdout, stderr).
sub run {
    my ($stdin, @args) = @_;
    my $n = ++$seq;
    my ($in, $out, $err) = map { "$dir/run$n.$_" } qw(in out err);
    write_file($in, defined $stdin ? $stdin : '');
    my $pid = fork;
    die "fork: $!" unless defined $pid;
    if (!$pid) {
        open STDIN, '<', $in or POSIX::_exit(126);
        open STDOUT, '>', $out or POSIX::_exit(126);
        open STDERR, '>', $err or POSIX::_exit(126);
        exec $bin, @args or POSIX::_exit(127);
    }
    waitpid $pid, 0;
    my $rc = $? & 127 ? 128 + ($? & 127) : $? >> 8;
    return ($rc, read_file($out), read_file($err));
}

# The feature an optional vector depends on.
sub feature_of {
    my ($v) = @_;
    return 'appid' if defined $v->{appid}
        || ($v->{client_extension_results} || {})->{appid};
    my $why = $v->{tier_reason} || '';
    return 'safetynet_cts' if $why =~ /ctsProfileMatch/;
    return 'verify_time' if $v->{verify_at};
    return 'trust_anchors' if $v->{trust_anchors};
    return 'cross_origin' if $v->{allow_cross_origin};
    return 'token_binding' if $why =~ /token binding/i;
    return 'tpm_any_manufacturer' if $why =~ /TPM Manufacturer/i;
    return 'untrusted_attestation' if $why =~ /trust not evaluated/i;
    return 'unknown';
}

# Canonical bytes of a base64url value (padding or not).
sub b64 {
    my ($s) = @_;
    return undef unless defined $s;
    (my $t = $s) =~ s/=+\z//;
    return decode_base64url($t);
}

# The standard response JSON of a vector (PublicKeyCredential.toJSON()).
sub response_json {
    my ($v) = @_;
    my %resp = (clientDataJSON => $v->{client_data_json});
    if ($v->{kind} eq 'registration') {
        $resp{attestationObject} = $v->{attestation_object};
        $resp{transports} = [];
    }
    else {
        $resp{authenticatorData} = $v->{authenticator_data};
        $resp{signature} = $v->{signature};
        $resp{userHandle} = $v->{user_handle} if defined $v->{user_handle};
    }
    return $json->encode({
        id => $v->{credential_id},
        rawId => $v->{credential_id},
        type => 'public-key',
        response => \%resp,
        clientExtensionResults => $v->{client_extension_results} || {},
    });
}

# The stepupctl arguments of a vector.
sub policy_args {
    my ($v, $now) = @_;
    my @origins = ref $v->{expected_origin} eq 'ARRAY'
        ? @{ $v->{expected_origin} } : ($v->{expected_origin});
    my @args = ('--rp-id', $v->{rp_id},
                '--challenge', $v->{expected_challenge},
                map { ('--origin', $_) } @origins);
    push @args, '--require-uv' if $v->{require_user_verification};
    push @args, '--allow-cross-origin' if $v->{allow_cross_origin};
    $now = $v->{verify_at}
        if !defined $now && $v->{kind} eq 'registration';
    push @args, '--now', $now if defined $now;
    if ($v->{trust_anchors}) {
        my @names = map { @$_ } values %{ $v->{trust_anchors} };
        my $pem = join '', map {
            defined $anchors->{$_} ? $anchors->{$_}
                : die "unknown trust anchor $_ in $v->{id}\n"
        } @names;
        push @args, '--attestation-roots',
            write_file("$dir/roots-$v->{id}.pem", $pem);
    }
    return @args;
}

sub verify_registration {
    my ($v) = @_;
    return run(response_json($v), 'webauthn', 'verify-registration',
               policy_args($v));
}

# The credential key of an authentication vector: its own, or what
# verify-registration extracted from the registration vector it names.
sub public_key_for {
    my ($v) = @_;
    my $from = $v->{credential_public_key_from};
    return $v->{credential_public_key} unless $from;
    my $reg = $by_id{$from} or die "$v->{id}: no vector $from\n";
    if (!$registered{$from}) {
        my ($rc, $out, $err) = verify_registration($reg);
        die "$v->{id}: registration $from refused: $err" if $rc != 0;
        $registered{$from} = $json->decode($out);
    }
    return $registered{$from}{public_key};
}

sub verify_authentication {
    my ($v) = @_;
    return run(response_json($v), 'webauthn', 'verify-authentication',
               policy_args($v),
               '--public-key', public_key_for($v),
               '--sign-count', $v->{stored_sign_count} || 0);
}

# What stepupctl reported, in the vocabulary of expected_result.
sub facts_got {
    my ($v, $o) = @_;
    my %f = (flags => sprintf('0x%x', $o->{flags}),
             sign_count => $o->{sign_count});
    if ($v->{kind} eq 'registration') {
        $f{$_} = $o->{$_} for qw(fmt alg aaguid);
        $f{credential_id} = b64($o->{credential_id});
        $f{credential_public_key} = b64($o->{public_key});
    }
    else {
        $f{user_verified} = $o->{user_verified} ? 1 : 0;
        $f{backup_eligible} = $o->{backup_eligible} ? 1 : 0;
    }
    return \%f;
}

sub facts_want {
    my ($v) = @_;
    my $e = $v->{expected_result};
    my %f = (flags => sprintf('0x%x', hex $e->{flags}),
             sign_count => $e->{sign_count});
    $f{sign_count} = $v->{expected_sign_count}
        if defined $v->{expected_sign_count};
    if ($v->{kind} eq 'registration') {
        $f{$_} = $e->{$_} for qw(fmt alg aaguid);
        $f{credential_id} = b64($e->{credential_id});
        $f{credential_public_key} = b64($e->{credential_public_key});
    }
    else {
        $f{user_verified} = (hex($e->{flags}) & 0x04) ? 1 : 0;
        $f{backup_eligible} = $v->{stored_backup_eligible} ? 1 : 0;
    }
    return \%f;
}

my (%passed, %skipped);
for my $v (@vectors) {
    my $name = "$v->{id} ($v->{tier}, expect $v->{expect})";
    SKIP: {
        if ($v->{tier} ne 'core') {
            my $f = feature_of($v);
            if (!exists $feature{$f}) {
                fail("$name: optional for a reason this test does not know "
                     . "($v->{tier_reason})") for 1 .. 2;
                next;
            }
            if (!$feature{$f}) {
                $skipped{$v->{id}} = 1;
                skip("$v->{id}: optional, needs "
                     . ($feature_why{$f} || "feature $f") . ' ('
                     . ($v->{tier_reason} || '') . ')', 2);
            }
        }
        my ($rc, $out, $err) = $v->{kind} eq 'registration'
            ? verify_registration($v) : verify_authentication($v);
        if ($v->{expect} eq 'ok') {
            is($rc, 0, "$name: verifies") or diag("stderr: $err");
            my $o = eval { $json->decode($out) };
            my $ok = is_deeply($o ? facts_got($v, $o) : $out, facts_want($v),
                               "$name: extracted facts match "
                               . 'expected_result');
            $passed{$v->{tier}}++ if $rc == 0 && $ok;
        }
        else {
            is($rc, 1, "$name: rejected")
                or diag("stdout: $out", "reason expected: $v->{reason}");
            my $ok = ok($out eq ''
                        && $err =~ /\Astepupctl: webauthn verify-\w+: rejected: [^\n]+\n\z/,
                        "$name: one-line reason, nothing on stdout");
            note("reason: $err");
            $passed{$v->{tier}}++ if $rc == 1 && $ok;
        }
    }
}

for my $v (@dated) {
    my ($rc, $out, $err) = run(response_json($v), 'webauthn',
                               'verify-registration',
                               policy_args($v, '2000-01-01T00:00:00Z'));
    # android-safetynet's statement carries its own time (timestampMs),
    # checked before its certificates' dates: refused for it then
    ok($rc == 1 && $out eq ''
       && $err =~ /certificate is not yet valid|timestampMs is in the future/,
       "$v->{id} at 2000-01-01: refused for its dates")
        or diag("exit $rc, stderr: $err");
}

note(sprintf('passed: %d core, %d optional; skipped: %s',
             $passed{core} || 0, $passed{optional} || 0,
             join(', ', sort keys %skipped) || 'none'));

done_testing();
