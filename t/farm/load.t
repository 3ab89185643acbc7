# SPDX-License-Identifier: Apache-2.0
# Load: FARM_LOAD_SECONDS (default 60) of mixed load with wrk at 64
# connections against server A of a redis + pgsql farm: protected requests
# with a valid token, status, and passkey/begin. Zero non-2xx, zero socket
# errors, nothing above info in the error log, stable RSS of the httpd
# children. Run by scripts/farm-test.sh.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib", "$FindBin::Bin/../lib";
use Test::More;
use MIME::Base64 qw(encode_base64);
use Farm ();
use StepupClient qw(authn csrf register_begin register_finish);

my $secs = $ENV{FARM_LOAD_SECONDS} || 60;
my ($u, $pw) = ('load', 'load-pw-64');
my $farm = Farm::new_farm(cache => Farm::redis_spec(), users => { $u => $pw },
                          servers => 1);
my $A = $farm->a;
my $tok = Farm::token_for($farm, $u, expires => time + 590);
my $key = authn($Farm::SITE);
my (undef, $ro) = register_begin($A, $u, token => $tok);
is(register_finish($A, $u, $key->register($ro || {}), token => $tok)
   ->code, 200, 'setup: a passkey (for passkey/begin)');
my $csrf = csrf($A, $u);
my $auth = encode_base64("$u:$pw", '');
my $lua = "$A->{dir}/mixed.lua";
open my $fh, '>', $lua or die;
print $fh <<LUA;
local auth = "Basic $auth"
local n = 0
request = function()
  n = n + 1
  local k = n % 3
  if k == 0 then
    return wrk.format("GET", "/account/", { ["Authorization"] = auth,
      ["Cookie"] = "stepup=$tok", ["Accept"] = "application/json" })
  elseif k == 1 then
    return wrk.format("GET", "/stepup/status", { ["Authorization"] = auth,
      ["Accept"] = "application/json" })
  else
    return wrk.format("POST", "/stepup/passkey/begin", { ["Authorization"] = auth,
      ["Accept"] = "application/json", ["Content-Type"] = "application/json",
      ["X-Stepup-CSRF"] = "$csrf" }, "{}")
  end
end
LUA
close $fh;
my $log0 = Farm::log_offset($A);
my $out = "$A->{dir}/wrk.out";
my $pid = Farm::spawn($out, 'wrk', '-t', 2, '-c', 64, '-d', "${secs}s",
                      '--timeout', '10s', '-s', $lua, "$A->{url}/");
sleep(($secs > 20 ? int($secs / 4) : 5));
my $rss1 = Farm::rss($A);
my $t_end = time + $secs - ($secs > 20 ? int($secs / 4) : 5) - 2;
sleep 1 while time < $t_end;
my $rss2 = Farm::rss($A);
waitpid $pid, 0;
open my $wf, '<', $out or die;
my $text = do { local $/; <$wf> };
note $text;
my ($reqs) = $text =~ /(\d+) requests in/;
my ($non) = $text =~ /Non-2xx or 3xx responses:\s+(\d+)/;
my %sock = (connect => 0, read => 0, write => 0, timeout => 0);
if (my ($errs) = $text =~ /Socket errors:(.*)/) {
    $sock{$1} = $2 while $errs =~ /(\w+) (\d+)/g;
}
ok(($reqs || 0) > 1000, "wrk: " . ($reqs || 0) . " requests in ${secs} s")
    or diag $text;
is($non || 0, 0, 'zero non-2xx/3xx responses') or diag $text;
is("$sock{connect} $sock{write} $sock{timeout}", '0 0 0',
   'no connect, write or timeout errors') or diag $text;
# A kept-alive connection that httpd closes (the event MPM sheds idle
# connections when its workers are all busy) just as wrk sends on it is a
# read error: the keep-alive race of HTTP/1.1 (RFC 9112 9.3.1, a client
# retries), not an answer. At most one in 10,000 requests.
ok($sock{read} <= ($reqs || 0) / 10000,
   "read errors: $sock{read} in " . ($reqs || 0) . ' requests (at most 1 in 10,000)')
    or diag $text;
my $log = Farm::error_log($A, $log0);
my @bad = grep { /:(notice|warn|error|crit|alert|emerg)\]/ } split /\n/, $log;
is(scalar @bad, 0, 'error log: nothing above info during the load')
    or diag join "\n", @bad[0 .. ($#bad < 9 ? $#bad : 9)];
# RSS: the children alive at a quarter and at the end of the run
my @common = grep { exists $rss2->{$_} } keys %$rss1;
my ($grow) = (0);
for my $p (@common) {
    my $d = $rss2->{$p} - $rss1->{$p};
    $grow = $d if $d > $grow;
}
ok(@common >= 1, 'RSS: ' . scalar(@common) . ' processes seen twice');
cmp_ok($grow, '<', 20_000, "RSS: no process grew by 20 MB or more after "
       . "the warm-up (largest growth $grow kB)")
    or diag explain { before => $rss1, after => $rss2 };
Farm::stop($A);
done_testing();
