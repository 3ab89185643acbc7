#!/usr/bin/perl
# SPDX-License-Identifier: Apache-2.0
# The application behind the resume tests (t/resume.t): records what it
# received (method, Content-Type, body bytes, the step-up's variables) as
# one JSON line in t/logs/resume-backend.log, and answers with a page that
# names it.
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
my %rec = (
    method => $ENV{REQUEST_METHOD},
    uri    => $ENV{REQUEST_URI},
    ctype  => $ENV{CONTENT_TYPE},
    length => $len,
    body   => encode_base64($body, ''),
    map { lc($_) => $ENV{$_} } grep { exists $ENV{$_} }
        qw(STEPUP_USER STEPUP_ACR REDIRECT_STATUS),
);
my $log = "$ENV{DOCUMENT_ROOT}/../logs/resume-backend.log";
open my $fh, '>>', $log or die "$log: $!";
flock $fh, LOCK_EX;
print $fh JSON::PP->new->canonical->encode(\%rec), "\n";
close $fh;
print "Content-Type: text/html; charset=utf-8\r\n\r\n";
print "<!DOCTYPE html><title>Done</title><p id=\"done\">received $rec{method} ",
      length($body), " bytes</p>\n";
