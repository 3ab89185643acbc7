#!/usr/bin/perl
# SPDX-License-Identifier: Apache-2.0
# Prepares the passkey/finish requests of bench/run (section 4). A user has
# one pending challenge at a time, so each finish is another user's: for
# users pk00001.. (in the users file of /confirm/), it mints a step-up
# token, registers an ES256 passkey through passkey/register/begin and
# /finish, asks passkey/begin and signs the challenge with the test
# suite's software authenticator (t/lib/SoftAuthn.pm). Writes one line per
# user to OUT: "<Authorization>\t<X-Stepup-CSRF>\t<AuthenticationResponseJSON>".
# Users FIRST .. FIRST+N-1.
#   passkey-prepare.pl BASE FIRST N PASSWORD KEY_FILE OUT ORIGIN RP_ID
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../t/lib";

use JSON::PP ();
use LWP::UserAgent ();
use MIME::Base64 qw(encode_base64);
use SoftAuthn ();
use StepupToken ();

my ($base, $first, $n, $pw, $key_file, $out, $origin, $rp_id) = @ARGV;
die "usage: passkey-prepare.pl BASE FIRST N PASSWORD KEY_FILE OUT ORIGIN RP_ID\n"
    unless defined $rp_id;

open(my $kf, '<', $key_file) or die "passkey-prepare: $key_file: $!\n";
my ($kid, $secret) = split ' ', scalar <$kf>;
close $kf;
$secret = StepupToken::secret_from_b64url($secret);

my $ua = LWP::UserAgent->new(keep_alive => 4, timeout => 30);
my $json = JSON::PP->new->canonical;

sub call {
    my ($method, $path, $body, @h) = @_;
    my $res = $method eq 'GET'
        ? $ua->get("$base$path", Accept => 'application/json', @h)
        : $ua->post("$base$path", Accept => 'application/json', @h,
                    'Content-Type' => 'application/json',
                    Content => ref $body ? $json->encode($body) : $body);
    die "passkey-prepare: $method $path: " . $res->status_line . "\n"
        . $res->decoded_content . "\n" unless $res->code == 200;
    return $json->decode($res->decoded_content);
}

open(my $fh, '>', $out) or die "passkey-prepare: $out: $!\n";
for my $i ($first .. $first + $n - 1) {
    my $user = sprintf 'pk%05d', $i;
    my $auth = 'Basic ' . encode_base64("$user:$pw", '');
    my @h = (Authorization => $auth);
    my $csrf = call(GET => 'status', undef, @h)->{csrf}
        or die "passkey-prepare: no csrf\n";
    push @h, 'X-Stepup-CSRF' => $csrf;
    my $token = StepupToken::mint(secret => $secret, kid => $kid,
                                  user => $user);
    my $a = SoftAuthn->new(origin => $origin, rp_id => $rp_id,
                           alg => 'ES256');
    my $opts = call(POST => 'passkey/register/begin', { name => 'bench' },
                    @h, Cookie => "stepup=$token");
    call(POST => 'passkey/register/finish',
         SoftAuthn::to_json($a->register($opts)), @h,
         Cookie => "stepup=$token");
    my $req = call(POST => 'passkey/begin', {}, @h);
    print $fh "$auth\t$csrf\t", SoftAuthn::to_json($a->assert($req)), "\n";
}
close($fh) or die "passkey-prepare: $out: $!\n";
