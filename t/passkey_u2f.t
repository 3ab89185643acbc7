# SPDX-License-Identifier: Apache-2.0
# Registration with "fido-u2f" attestation end to end (WebAuthn L3 8.6): a
# U2F security key (t/lib/SoftAuthn.pm, attestation fido-u2f, its
# certificate from the suite's test CA). At /pk/roots/
# (StepupAttestationRoots, no AAGUID list) it is a hardware-bound phrh
# passkey that then opens an acr=phrh step-up; at /pk/hi/ (roots and an
# AAGUID list) a phr one, since a U2F key has no AAGUID to list; at
# /pk/stepup/ (no roots) a phr one. A certificate of an unknown root is a
# passkey too (phr). A bad signature and a statement that is not U2F's are
# refused with a reason and nothing stored. User: ulf.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore plan done_testing need_module);
use File::Temp qw(tempdir);
use StepupTest qw(check reset_ua);
use StepupToken qw(token_from);
use StepupClient qw(err_of authn json_of csrf register login passkeys wipe);
use PasskeyTest qw(ca site);
use SoftAuthn ();

plan need_module('stepup', 'auth_basic', 'authn_file', 'dbd',
                 'socache_shmcb');

reset_ua();

my $U = 'ulf';
my ($H, $B) = (site('/pk/hi/'), site('/pk/stepup/'));
my $tmp = tempdir('u2f-XXXXXX', DIR => $FindBin::Bin, CLEANUP => 1);

# a U2F key: ES256, AAGUID zero, an attestation certificate without the
# FIDO AAGUID extension, issued by $ca
sub u2f_key {
    my ($ca, %o) = @_;
    my $cert = SoftAuthn::make_attestation_cert($tmp, $ca, "\0" x 16,
                                                no_aaguid => 1);
    return authn($H, attestation => 'fido-u2f', x5c => [ $cert->{der} ],
                 att_key => $cert->{key_pem}, be => 0, bs => 0,
                 transports => ['usb'], %o);
}
sub reg { my ($k, $base, %o) = @_;
          return register($k, $base, $U, csrf => csrf($base, $U), %o) }
sub count { scalar @{ passkeys($H, $U) || [] } }

wipe($H, $U);

# ---- refused: nothing stored -----------------------------------------------
my $bad = u2f_key(ca());
my $r = reg($bad, $H, name => 'Bad', over => { u2f_signed => 'something else' });
check($r->code, 400, 'fido-u2f with a signature over the wrong bytes: 400');
check(err_of($r), qr/fido-u2f|signature/i, '... saying why: ' . err_of($r));

my $liar = u2f_key(ca());
$r = reg($liar, $H, name => 'Liar',
         over => { fmt => 'fido-u2f', attestation => 'self' });
check($r->code, 400, 'fmt fido-u2f with a packed self statement: 400');
check(err_of($r), qr/fido-u2f/i, '... saying why: ' . err_of($r));
check(count(), 0, '... and nothing was stored');

# ---- accepted ----------------------------------------------------------------
my $R = site('/pk/roots/');
my $key = u2f_key(ca());
$r = reg($key, $R, name => 'U2F key');
my $j = json_of($r) || {};
check(join(' ', $r->code, $j->{level} || err_of($r)), '200 phrh',
      'fido-u2f of the test CA, device-bound, at /pk/roots/: 200, phrh');
my ($p) = @{ passkeys($H, $U) || [] };
check(join(' ', ($p || {})->{name} || '-', ($p || {})->{level} || '-'),
      'U2F key phrh', 'GET passkeys: the U2F key, phrh');

$r = login($key, $R, $U, csrf => csrf($R, $U), acr => 'phrh',
           return_to => '/pk/phrh/');
my $tok = token_from($r);
check(join(' ', $r->code, (json_of($r) || {})->{acr} || err_of($r)), '200 phrh',
      'an acr=phrh step-up with the U2F key: 200, phrh');
my $f = StepupToken::parse($tok || 'x.x.x.x');
check(join(' ', $f->{acr} || '-', $f->{amr} || '-'), 'phrh hwk',
      '... a token at phrh, amr hwk');

my $key2 = u2f_key(ca());
$r = reg($key2, $B, name => 'U2F, no roots');
$j = json_of($r) || {};
check(join(' ', $r->code, $j->{level} || err_of($r)), '200 phr',
      'fido-u2f at /pk/stepup/ (no StepupAttestationRoots): 200, phr');
my $other = SoftAuthn::make_ca($tmp, 'u2f-unknown-root');
$r = reg(u2f_key($other), $R, name => 'Unknown');
check(join(' ', $r->code, (json_of($r) || {})->{level} || err_of($r)), '200 phr',
      'fido-u2f of an unknown root, with StepupAttestationRoots: a passkey, phr');
$r = reg(u2f_key(ca()), $H, name => 'U2F, listed models');
check(join(' ', $r->code, (json_of($r) || {})->{level} || err_of($r)), '200 phr',
      'fido-u2f of the test CA at /pk/hi/ (an AAGUID list; U2F has none): phr');
check(count(), 4, 'four passkeys stored');

$r = login($key2, $B, $U, csrf => csrf($B, $U));
check(join(' ', $r->code, (json_of($r) || {})->{acr} || err_of($r)), '200 phr',
      'a step-up with it: 200, phr');
check(token_from($r) ? 'token' : 'none', 'token', '... with a token');

done_testing();
