#!/usr/bin/perl
# SPDX-License-Identifier: Apache-2.0
# The application behind t/backend.t (StepupBackendChallenge): records what
# it received (method, target, Content-Type, body, the step-up's variables
# from the environment or, proxied, from X-Stepup-* headers) as one JSON
# line in t/logs/backend-app.log, then answers:
# - ?mode=basic: its own Basic prompt (401);
# - an amount of 1000 or more (form field or JSON member): the RFC 9470
#   challenge at level ?acr= (default phrh) and max_age ?age= (default 0),
#   unless the step-up it got is at that level (and, at age 0, bound to the
#   transaction: STEPUP_TXN);
# - else 200, a page naming what it received.
use strict;
use warnings;
use Fcntl qw(:flock);
use JSON::PP ();
use MIME::Base64 qw(encode_base64);

binmode STDIN;
my $len = $ENV{CONTENT_LENGTH} || 0;
my $body = '';
while (length($body) < $len) {
    my $n = read(STDIN, $body, $len - length($body), length $body);
    last unless $n;
}
my %q = map { split /=/, $_, 2 } grep { /=/ } split /&/, $ENV{QUERY_STRING} // '';
my %env = map { my $h = "HTTP_X_$_"; ($_ => $ENV{$_} // $ENV{$h}) }
          qw(STEPUP_USER STEPUP_ACR STEPUP_AUTH_TIME STEPUP_AMR STEPUP_TXN);
my ($amount) = $body =~ /(?:^|&)amount=(\d+)/;
($amount) = $body =~ /"amount"\s*:\s*(\d+)/ unless defined $amount;
$amount //= 0;

my %rank = (pwd => 1, phr => 2, phrh => 3);
my $need = $q{acr} // 'phrh';
my $age = $q{age} // 0;
my $got = $env{STEPUP_ACR} && $rank{$env{STEPUP_ACR}} // 0;
my $enough = $got >= $rank{$need} && ($age > 0 || $env{STEPUP_TXN});
my $answer = ($q{mode} // '') eq 'basic' ? 'basic'
           : $amount >= 1000 && !$enough ? 'challenge' : 'done';

my %rec = (
    method => $ENV{REQUEST_METHOD},
    uri    => $ENV{REQUEST_URI},
    ctype  => $ENV{CONTENT_TYPE},
    body   => encode_base64($body, ''),
    answer => $answer,
    map { lc($_) => $env{$_} } grep { defined $env{$_} && $env{$_} ne '' }
        keys %env,
);
my $log = "$ENV{DOCUMENT_ROOT}/../logs/backend-app.log";
open my $fh, '>>', $log or die "$log: $!";
flock $fh, LOCK_EX;
print $fh JSON::PP->new->canonical->encode(\%rec), "\n";
close $fh;

if ($answer eq 'basic') {
    print "Status: 401 Unauthorized\r\n",
          "WWW-Authenticate: Basic realm=\"the application\"\r\n",
          "Content-Type: text/plain\r\n\r\nthe application's own prompt\n";
}
elsif ($answer eq 'challenge') {
    print "Status: 401 Unauthorized\r\n",
          "WWW-Authenticate: Bearer error=\"insufficient_user_authentication\", ",
          "error_description=\"a larger transfer\", acr_values=\"$need\", ",
          "max_age=$age\r\n",
          "Content-Type: text/plain\r\n\r\nthe application's challenge body\n";
}
else {
    print "Content-Type: text/html; charset=utf-8\r\n\r\n",
          "<!DOCTYPE html><title>Done</title><p id=\"done\">received ",
          "$rec{method} ", length($body), " bytes, amount $amount</p>\n";
}
