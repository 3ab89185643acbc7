# SPDX-License-Identifier: Apache-2.0
# Faults: the cache (Redis, then memcached) stopped mid-run. Passkey begin
# and finish and the password step-up fail closed with 503 and a JSON
# reason; valid tokens keep working on both servers; once the cache is back,
# step-up works again. Run by scripts/farm-test.sh.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib", "$FindBin::Bin/../lib";
use Test::More;
use Time::HiRes ();
use Farm ();
use StepupClient qw(authn err_of login_begin login_finish password
                    register_begin register_finish);
use StepupToken qw(token_from);

for my $case (['redis', Farm::redis_spec()],
              ['memcached', Farm::memcache_spec()]) {
    my ($which, $spec) = @$case;
    my $u = "cache$which";
    my $farm = Farm::new_farm(cache => $spec, users => { $u => "$u-pw-7" });
    my ($A, $B) = ($farm->a, $farm->b);
    my $key = authn($Farm::SITE);
    my $tok = Farm::token_for($farm, $u);
    my (undef, $ro) = register_begin($A, $u, token => $tok);
    is(register_finish($A, $u, $key->register($ro || {}),
                       token => $tok)->code, 200,
       "$which: setup, a passkey");
    my $ptok = token_from(password($A, $u));
    ok($ptok, "$which: setup, a token from the password");
    # an assertion begun while the cache is up, finished while it is down
    my (undef, $pending) = login_begin($B, $u);
    ok($pending, "$which: setup, passkey/begin while the cache is up");

    ok(Farm::cache_stop($which), "$which stopped");

    for my $s ($A, $B) {
        my $L = uc $s->{label};
        my ($res) = login_begin($s, $u);
        is($res->code, 503, "$which down: passkey/begin on $L: 503");
        like($res->header('Content-Type') || '', qr{^application/json},
             "... JSON");
        ok(err_of($res), '... with a reason: ' . (err_of($res) || ''));

        my $fin = login_finish($s, $u, $key->assert($pending || {}));
        is($fin->code, 503, "$which down: passkey/finish on $L: 503");
        ok(err_of($fin), '... with a JSON reason: ' . (err_of($fin) || ''));
        ok(!token_from($fin), '... and no token');

        my $pw = password($s, $u);
        is($pw->code, 503, "$which down: the right password on $L: 503");
        like($pw->header('Content-Type') || '', qr{^application/json},
             '... JSON');
        ok(err_of($pw), '... with a reason: ' . (err_of($pw) || ''));
        ok(!token_from($pw), '... and no token');
        is(password($s, $u, 'wrong')->code, 503,
           "$which down: a wrong password on $L: 503 (not counted, not 401)");

        is(Farm::protected($s, $u, $ptok)->code, 200,
           "$which down: a valid token still opens /account/ on $L");
        is(Farm::protected($s, $u, $tok)->code, 200,
           "$which down: a minted token too");
    }
    my $log = Farm::error_log($A) . Farm::error_log($B);
    like($log, qr/STEPUP00(20|50|51): StepupCache \Q$spec\E is unavailable/,
         "$which down: the error log says the cache is unavailable");

    ok(Farm::cache_start($which), "$which started again");
    # apr_redis / apr_memcache retry a server marked dead after a few
    # seconds, per child: wait until both servers answer again
    for my $s ($A, $B) {
        my $L = uc $s->{label};
        my ($code, $pcode, $t0) = (0, 0, Time::HiRes::time());
        while (Time::HiRes::time() - $t0 < 30) {
            ($code) = map { $_->code } (login_begin($s, $u))[0];
            $pcode = password($s, $u)->code;
            last if $code == 200 && $pcode == 200;
            Time::HiRes::sleep(0.5);
        }
        is("$code $pcode", '200 200', sprintf("$which back: passkey/begin "
           . "and password on $L work again (after %.1f s)",
           Time::HiRes::time() - $t0));
    }
    # other children of each server may still hold the server as dead
    my ($fin, $t) = Farm::passkey_stepup_until_ok($B, $A, $u, $key, 30);
    is($fin->code, 200, sprintf("$which back: a passkey step-up begun on B "
                                . "finishes on A (after %.1f s)", $t))
        or diag $fin->as_string;
    Farm::stop($_) for $farm->servers;
}
done_testing();
