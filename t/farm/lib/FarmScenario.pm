package FarmScenario;

# SPDX-License-Identifier: Apache-2.0
# The farm scenario, for one StepupCache (redis: or memcache:): two httpd
# servers A and B with one key file, one cache and one PostgreSQL store
# (t/farm/farm_redis.t, t/farm/farm_memcache.t).

use strict;
use warnings;

use Test::More;
use Farm ();
use StepupClient qw(authn csrf err_of login_begin login_finish passkeys
                    password post_json race register_begin register_finish
                    status);
use StepupToken qw(parse token_from);

sub run {
    my ($cache, $tag) = @_;
    my %users = map { ("$_$tag" => "$_-$tag-pw-93") }
                qw(pia reg ass thr race);
    my ($pia, $reg, $ass, $thr, $race) = map { "$_$tag" }
                                         qw(pia reg ass thr race);
    my $farm = Farm::new_farm(cache => $cache, users => \%users);
    my ($A, $B) = ($farm->a, $farm->b);
    note "A $A->{url}, B $B->{url}, StepupCache $cache";

    # ---- password step-up on A opens B --------------------------------------
    {
        is(Farm::protected($B, $pia)->code, 401,
           'no token: B refuses /account/ (401)');
        my $res = password($A, $pia);
        is($res->code, 200, 'password on A: 200')
            or diag $res->as_string;
        my $tok = token_from($res);
        ok($tok, 'password on A: a token cookie');
        is(Farm::protected($B, $pia, $tok)->code, 200,
           "A's password token opens /account/ on B");
        is(Farm::protected($A, $pia, $tok)->code, 200,
           "... and on A");
        my $st = status($B, $pia, token => $tok);
        is($st->{acr}, 'pwd', "B's status shows the acr pwd of A's token");
    }

    # ---- registration begun on A finishes on B ------------------------------
    my $key = authn($Farm::SITE, alg => 'ES256');
    {
        my $tok = Farm::token_for($farm, $reg);
        my ($res, $opts) = register_begin($A, $reg, token => $tok,
                                          name => 'farm key');
        is($res->code, 200, 'register/begin on A: 200')
            or diag $res->as_string;
        my $resp = $key->register($opts || {});
        my $fin = register_finish($B, $reg, $resp, token => $tok);
        is($fin->code, 200, 'register/finish on B of a ceremony begun on A: 200')
            or diag $fin->as_string;
        is(Farm::db_rows($reg), 1, 'one row in PostgreSQL');
        my $list = passkeys($A, $reg) || [];
        is(scalar @$list, 1, 'A lists the passkey registered through B');
        my $again = register_finish($A, $reg, $resp, token => $tok);
        is($again->code, 400, 'the same registration replayed on A: 400');
        is(Farm::db_rows($reg), 1, '... and still one row');
    }

    # ---- an assertion begun on B finishes on A; replay on B refused ---------
    my $ak = authn($Farm::SITE, alg => 'ES256');
    {
        my $tok = Farm::token_for($farm, $ass);
        my ($r1, $o1) = register_begin($A, $ass, token => $tok);
        my $f1 = register_finish($A, $ass, $ak->register($o1 || {}),
                                 token => $tok);
        is($f1->code, 200, "setup: $ass registers a passkey")
            or diag $f1->as_string;

        my ($res, $opts) = login_begin($B, $ass);
        is($res->code, 200, 'passkey/begin on B: 200') or diag $res->as_string;
        my $assertion = $ak->assert($opts || {});
        my $fin = login_finish($A, $ass, $assertion);
        is($fin->code, 200, 'passkey/finish on A of an assertion begun on B: 200')
            or diag $fin->as_string;
        my $ptok = token_from($fin);
        ok($ptok, 'a token cookie');
        is((parse($ptok || '') || {})->{acr}, 'phr',
           'the token is phr');
        is(Farm::protected($B, $ass, $ptok)->code, 200,
           "A's passkey token opens /account/ on B");
        my $replay = login_finish($B, $ass, $assertion);
        is($replay->code, 400, 'the same assertion replayed on B: 400');
        my $why = err_of($replay) || '';
        like($why, qr/challenge/, "... because its challenge is spent: $why");
        ok(!token_from($replay), '... and no token');
        my $replay_a = login_finish($A, $ass, $assertion);
        is($replay_a->code, 400, '... and replayed on A: 400');
    }

    # ---- throttling counts across both ---------------------------------------
    {
        my @codes;
        push @codes, password($A, $thr, 'wrong-1')->code;
        push @codes, password($B, $thr, 'wrong-2')->code;
        push @codes, password($A, $thr, 'wrong-3')->code;
        is("@codes", '401 401 401',
           "$Farm::MAX_ATTEMPTS wrong passwords, on A, B, A: 401 each");
        my $res = password($B, $thr, 'wrong-4');
        is($res->code, 429, 'the 4th wrong password, on B: 429');
        ok(($res->header('Retry-After') || 0) > 0, '... with Retry-After');
        my $right = password($A, $thr);
        is($right->code, 429, 'even the right password on A: 429 (locked farm-wide)');
        ok(!token_from($right), '... and no token');
    }

    # ---- two simultaneous finishes of one assertion (A and B) -------------
    # A counter-less authenticator (sign count stays 0, as many passkeys do),
    # so that only the one-time challenge can stop the second finish.
    {
        my $rk = authn($Farm::SITE, alg => 'ES256', counter_step => 0);
        my $tok = Farm::token_for($farm, $race);
        my ($r1, $o1) = register_begin($A, $race, token => $tok);
        my $f1 = register_finish($A, $race, $rk->register($o1 || {}),
                                 token => $tok);
        is($f1->code, 200, "setup: $race registers a counter-less passkey");
        my $csrf = csrf($A, $race);
        my $rounds = $ENV{FARM_RACE_ROUNDS} || 30;
        my ($double, $none, $unavail, @seen) = (0, 0, 0);
        for my $i (1 .. $rounds) {
            my ($res, $opts) = login_begin($A, $race);
            my $body = $rk->assert($opts || {});
            my @codes = race(
                sub { post_json($A, 'passkey/finish', $race, $body,
                                csrf => $csrf) },
                sub { post_json($B, 'passkey/finish', $race, $body,
                                csrf => $csrf) });
            my $ok = grep { $_ eq '200' } @codes;
            $double++ if $ok > 1;
            $none++ if $ok == 0;
            $unavail += grep { $_ eq '503' } @codes;
            push @seen, join('/', @codes);
        }
        is($double, 0, "$rounds races of one assertion finished on A and B "
           . "at once: never both accepted ($double doubly accepted)")
            or diag "codes (A/B) per round: @seen";
        is($none, 0, '... and one of the two always accepted')
            or diag "codes (A/B) per round: @seen";
        # The one-time take is a read then a remove (src/httpd/cache.c locks only
        # for shmcb): when both servers read the challenge, the loser's
        # remove finds nothing, which cache.c reports as "StepupCache
        # unavailable" (503, STEPUP0051 at error level) instead of 400.
        is($unavail, 0, '... and the other refused with 400, never 503 '
           . '("cache unavailable")') or diag "codes (A/B) per round: @seen";
    }

    # ---- nothing above info in the logs -----------------------------------
    for my $s ($A, $B) {
        # AH01631: httpd's own line for the deliberate 401 without a token
        my @bad = grep { /:(warn|error|crit|alert|emerg)\]/ && !/AH01631/ }
                  split /\n/, Farm::error_log($s);
        is(scalar @bad, 0, "error log of $s->{label}: nothing above notice")
            or diag join "\n", @bad[0 .. ($#bad < 9 ? $#bad : 9)];
    }
    Farm::stop($_) for $farm->servers;
}

1;
