#!/usr/bin/perl
# SPDX-License-Identifier: Apache-2.0
# Sends the passkey/finish requests prepared by passkey-prepare.pl, each
# once, over C keep-alive connections (C processes, each with its share of
# the lines), and prints
#   RESULT <answers> <ok (200)> <wall seconds> <p50 us> <p99 us>
# wall seconds: from the first request to the last answer. With LATFILE,
# appends "<status> <latency us>" for each answer to it.
#   passkey-finish.pl URL FILE C [LATFILE]
use strict;
use warnings;

use File::Temp qw(tempdir);
use LWP::UserAgent ();
use Time::HiRes qw(time);

my ($url, $file, $c, $latfile) = @ARGV;
die "usage: passkey-finish.pl URL FILE C [LATFILE]\n" unless $c;
open(my $fh, '<', $file) or die "passkey-finish: $file: $!\n";
chomp(my @lines = <$fh>);
close $fh;

my $tmp = tempdir(CLEANUP => 1);
my $start = time + 0.5;    # every process starts at once
my @pids;
for my $k (0 .. $c - 1) {
    my $pid = fork // die "passkey-finish: fork: $!\n";
    if (!$pid) {
        my $ua = LWP::UserAgent->new(keep_alive => 1, timeout => 60);
        my @mine = @lines[grep { $_ % $c == $k } 0 .. $#lines];
        my $req = $ua->get($url =~ s{/confirm/.*}{/open/file.html}r);  # connect
        open(my $out, '>', "$tmp/$k") or die;
        Time::HiRes::sleep($start - time) if $start > time;
        for my $line (@mine) {
            my ($auth, $csrf, $body) = split /\t/, $line, 3;
            my $t0 = time;
            my $res = $ua->post($url, Authorization => $auth,
                                'X-Stepup-CSRF' => $csrf,
                                'Content-Type' => 'application/json',
                                Accept => 'application/json',
                                Content => $body);
            my $t1 = time;
            printf $out "%d %.0f %.6f\n", $res->code, ($t1 - $t0) * 1e6, $t1;
        }
        close $out;
        exit 0;
    }
    push @pids, $pid;
}
waitpid($_, 0) for @pids;

my ($n, $ok, $last, @lat) = (0, 0, $start);
my $lf;
if (defined $latfile) {
    open($lf, '>>', $latfile) or die "passkey-finish: $latfile: $!\n";
}
for my $k (0 .. $c - 1) {
    open(my $in, '<', "$tmp/$k") or next;
    while (<$in>) {
        my ($code, $us, $t) = split;
        print $lf "$code $us\n" if $lf;
        $n++;
        $ok++ if $code == 200;
        push @lat, $us;
        $last = $t if $t > $last;
    }
}
@lat = sort { $a <=> $b } @lat;
my $pct = sub { @lat ? $lat[int($_[0] * $#lat + 0.5)] : 0 };
printf "RESULT %d %d %.3f %d %d\n", $n, $ok, $last - $start, $pct->(0.5),
    $pct->(0.99);
