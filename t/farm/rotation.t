# SPDX-License-Identifier: Apache-2.0
# Faults: key rotation. A new first key is added to the farm's key file and
# both servers get "apachectl graceful": old tokens keep working until they
# expire, new tokens are signed with the new key and accepted on both
# servers. Run by scripts/farm-test.sh.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib", "$FindBin::Bin/../lib";
use Test::More;
use Farm ();
use StepupClient qw(password);
use StepupToken qw(mint parse token_from);

my $u = 'rot';
my $farm = Farm::new_farm(cache => Farm::redis_spec(),
                          users => { $u => 'rot-pw-55' });
my ($A, $B) = ($farm->a, $farm->b);
my $old = token_from(password($A, $u));
is((parse($old || '') || {})->{kid} // ($old =~ /^v1\.([^.]+)\./)[0],
   'k1', 'before: the token is signed with k1');
my $short = Farm::token_for($farm, $u, auth_time => time - 5,
                            expires => time + 4);
is(Farm::protected($B, $u, $short)->code, 200,
   'before: a k1 token that expires in 4 s opens B');

my ($k1) = @{ $farm->{key_lines} };
my $k2 = Farm::keygen('k2');
Farm::write_keys($farm, $k2, $k1);
my $t0 = time;
Farm::graceful($_) for $A, $B;
sleep 2;

for my $s ($A, $B) {
    is(Farm::protected($s, $u, $old)->code, 200,
       "after graceful: the old k1 token still opens $s->{label}");
}
my $res = password($B, $u);
is($res->code, 200, 'after: password on B');
my $new = token_from($res) || '';
like($new, qr/^v1\.k2\./, 'after: the new token is signed with k2');
for my $s ($A, $B) {
    is(Farm::protected($s, $u, $new)->code, 200,
       "after: the k2 token opens $s->{label}");
}
my $forged = mint(secret => Farm::secret_of($k1), kid => 'k2',
                         user => $u);
is(Farm::protected($A, $u, $forged)->code, 401,
   'a token naming k2 but signed with k1: 401');
sleep 1 while time < $t0 + 5;
is(Farm::protected($A, $u, $short)->code, 401,
   'the short k1 token, once expired: 401');

# k1 removed (the end of the rotation): k1 tokens are refused
Farm::write_keys($farm, $k2);
Farm::graceful($_) for $A, $B;
sleep 2;
is(Farm::protected($B, $u, $old)->code, 401,
   'k1 removed and graceful: the old k1 token is refused on B');
is(Farm::protected($A, $u, $new)->code, 200, '... the k2 token still opens A');
for my $s ($A, $B) {
    my @bad = grep { /:(warn|error|crit|alert|emerg)\]/ && !/AH01631/ }
              split /\n/, Farm::error_log($s);
    is(scalar @bad, 0, "error log of $s->{label}: nothing above notice")
        or diag join "\n", @bad;
}
Farm::stop($_) for $A, $B;
done_testing();
