#!/usr/bin/perl
# SPDX-License-Identifier: Apache-2.0
# A mod_auth_tkt ticket (cookie value), as its Apache::AuthTkt makes one:
#   base64( hex(D(hex(D(ip4 ts4 secret uid \0 tokens \0 data)) secret))
#           hex8(ts) uid "!" )        with D = MD5, mod_auth_tkt's default
#   tkt-ticket.pl SECRET UID IP [TIMESTAMP]
use strict;
use warnings;
use Digest::MD5 qw(md5_hex);
use MIME::Base64 qw(encode_base64);

my ($secret, $uid, $ip, $ts) = @ARGV;
die "usage: tkt-ticket.pl SECRET UID IP [TIMESTAMP]\n" unless defined $ip;
$ts //= time;
my $ipts = pack("C4N", split(/\./, $ip), $ts);
my $digest0 = md5_hex($ipts . $secret . $uid . "\0" . "" . "\0" . "");
my $digest = md5_hex($digest0 . $secret);
print encode_base64(sprintf("%s%08x%s!", $digest, $ts, $uid), ''), "\n";
