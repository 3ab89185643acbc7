# SPDX-License-Identifier: Apache-2.0
# Faults: "apachectl graceful" every few seconds on both servers while ab
# sends protected requests with a valid token to each: zero failed and zero
# non-2xx requests. Run by scripts/farm-test.sh.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib", "$FindBin::Bin/../lib";
use Test::More;
use Time::HiRes ();
use Farm ();

my $u = 'gl';
my $pw = 'gl-pw-31';
my $secs = $ENV{FARM_GRACEFUL_SECONDS} || 15;
my $farm = Farm::new_farm(cache => Farm::redis_spec(), users => { $u => $pw });
my ($A, $B) = ($farm->a, $farm->b);
my $tok = Farm::token_for($farm, $u, expires => time + 590);
is(Farm::protected($A, $u, $tok)->code, 200, 'setup: the token opens A');

my @ab;
for my $s ($A, $B) {
    my $out = "$s->{dir}/ab.out";
    my $pid = Farm::spawn($out, 'ab', '-q', '-t', $secs, '-n', 10_000_000,
        '-c', 16, '-r', '-A', "$u:$pw", '-C', "stepup=$tok",
        '-H', 'Accept: application/json', "$s->{url}/account/");
    push @ab, [$s, $pid, $out];
}
my $gracefuls = 0;
my $end = Time::HiRes::time() + $secs - 2;
while (Time::HiRes::time() < $end) {
    Time::HiRes::sleep(2.5);
    Farm::graceful($_) for $A, $B;
    $gracefuls++;
}
for my $r (@ab) {
    my ($s, $pid, $out) = @$r;
    waitpid $pid, 0;
    open my $fh, '<', $out or die;
    local $/;
    my $text = <$fh>;
    my ($done) = $text =~ /^Complete requests:\s+(\d+)/m;
    my ($failed) = $text =~ /^Failed requests:\s+(\d+)/m;
    my ($non2xx) = $text =~ /^Non-2xx responses:\s+(\d+)/m;
    $non2xx ||= 0;
    ok(($done || 0) > 100, "$s->{label}: ab completed " . ($done || 0)
       . " requests during $gracefuls graceful restarts")
        or diag $text;
    is($failed, 0, "$s->{label}: zero failed requests") or diag $text;
    is($non2xx, 0, "$s->{label}: zero non-2xx responses") or diag $text;
}
for my $s ($A, $B) {
    my @bad = grep { /:(warn|error|crit|alert|emerg)\]/ }
              split /\n/, Farm::error_log($s);
    is(scalar @bad, 0, "error log of $s->{label}: nothing above notice")
        or diag join "\n", @bad[0 .. ($#bad < 9 ? $#bad : 9)];
}
Farm::stop($_) for $A, $B;
done_testing();
