# SPDX-License-Identifier: Apache-2.0
# Faults: the passkey store (PostgreSQL) unavailable, then read-only.
# Passkey flows fail closed with 503 and a JSON reason, nothing is
# half-written (no row, the sign counter unchanged, the challenge spent or
# kept as designed), valid tokens keep working, and the flows work again
# once the database is back. Run by scripts/farm-test.sh.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib", "$FindBin::Bin/../lib";
use Test::More;
use Time::HiRes ();
use Farm ();
use StepupClient qw(authn err_of json_of login_begin login_finish password
                    register_begin register_finish request);
use StepupToken qw(token_from);

my $u = 'dbf';
my $farm = Farm::new_farm(cache => Farm::redis_spec(),
                          users => { $u => 'dbf-pw-12' });
my ($A, $B) = ($farm->a, $farm->b);
my $key = authn($Farm::SITE);
# phrh: it adds a second passkey later (which needs a token at the level
# of the strongest passkey the user has)
my $tok = Farm::token_for($farm, $u, expires => time + 590, acr => 'phrh',
                          amr => 'hwk');
my (undef, $ro) = register_begin($A, $u, token => $tok);
is(register_finish($A, $u, $key->register($ro || {}), token => $tok)
   ->code, 200, 'setup: a passkey');
is(Farm::db_rows($u), 1, 'setup: one row');
my ($count0) = (Farm::psql("SELECT sign_count FROM stepup_credentials "
                           . "WHERE user_name = '$u'"))[1] =~ /(\d+)/;


# ---- the database stopped ----------------------------------------------------
# what is begun while it is up, finished while it is down
my (undef, $reg_opts) = register_begin($A, $u, token => $tok);
my $key2 = authn($Farm::SITE);
my (undef, $login_opts) = login_begin($B, $u);
ok($reg_opts && $login_opts, 'setup: register/begin and passkey/begin while up');

my ($rc, $out) = Farm::pg_ctl('stop');
is($rc, 0, 'PostgreSQL stopped') or diag $out;

for my $s ($A, $B) {
    my $L = uc $s->{label};
    my ($res) = login_begin($s, $u);
    is($res->code, 503, "db down: passkey/begin on $L: 503");
    ok(err_of($res), '... with a JSON reason: ' . (err_of($res) || ''));
}
my $fin = login_finish($A, $u, $key->assert($login_opts));
is($fin->code, 503, 'db down: passkey/finish on A (begun on B while up): 503');
ok(err_of($fin), '... with a JSON reason: ' . (err_of($fin) || ''));
ok(!token_from($fin), '... and no token');
my $rf = register_finish($B, $u, $key2->register($reg_opts), token => $tok);
is($rf->code, 503, 'db down: register/finish on B (begun on A while up): 503');
ok(err_of($rf), '... with a JSON reason: ' . (err_of($rf) || ''));
my ($rbres) = register_begin($A, $u, token => $tok);
is($rbres->code, 503, 'db down: register/begin on A: 503');
is(request($A, 'GET', '/stepup/passkeys', $u,
           headers => [Accept => 'application/json'])->code, 503,
   'db down: the passkey list: 503');
is(Farm::protected($B, $u, $tok)->code, 200,
   'db down: a valid token still opens /account/ on B');
is(password($A, $u)->code, 200,
   'db down: password step-up still works on A');

($rc, $out) = Farm::pg_ctl('start');
is($rc, 0, 'PostgreSQL started again') or diag $out;
is(Farm::db_rows($u), 1, 'nothing half-written: still one row');
my ($count1) = (Farm::psql("SELECT sign_count FROM stepup_credentials "
                           . "WHERE user_name = '$u'"))[1] =~ /(\d+)/;
is($count1, $count0, 'nothing half-written: the sign counter unchanged');

for my $s ($A, $B) {
    my ($res, $t) = Farm::until_ok(sub { (login_begin($s, $u))[0] });
    is($res->code, 200, sprintf("db back: passkey/begin on %s (after %.1f s)",
                                uc $s->{label}, $t));
}
{
    my ($f, $t) = Farm::passkey_stepup_until_ok($B, $A, $u, $key);
    is($f->code, 200, sprintf('db back: a passkey step-up, B then A (after %.1f s)', $t))
        or diag $f->as_string;
}

# ---- the database read-only -------------------------------------------------
($rc, $out) = Farm::psql("ALTER SYSTEM SET default_transaction_read_only = on");
my ($rc2, $out2) = Farm::psql("SELECT pg_reload_conf()");
is("$rc $rc2", '0 0', 'PostgreSQL made read-only') or diag "$out $out2";
sleep 1;
my ($before) = (Farm::psql("SELECT sign_count || ',' || last_used FROM "
                           . "stepup_credentials WHERE user_name = '$u'"))[1];
{
    # a begin is a read: it works once A's pooled connections are fresh
    my ($rb, $o) = Farm::register_begin_until_ok($A, $u, token => $tok);
    is($rb->code, 200, 'read-only: register/begin (a read) works');
    my $k3 = authn($Farm::SITE);
    my $r = register_finish($B, $u, $k3->register($o || {}), token => $tok);
    is($r->code, 503, 'read-only: register/finish: 503');
    ok(err_of($r), '... with a JSON reason: ' . (err_of($r) || ''));
    is(Farm::db_rows($u), 1, '... and no row added');
}
{
    my ($b) = Farm::until_ok(sub { (login_begin($B, $u))[0] });
    is($b->code, 200, 'read-only: passkey/begin (a read) still works');
    my $o = json_of($b);
    my $f = login_finish($A, $u, $key->assert($o || {}));
    is($f->code, 503, 'read-only: passkey/finish (must record the counter): 503');
    ok(err_of($f), '... with a JSON reason: ' . (err_of($f) || ''));
    ok(!token_from($f), '... and no token');
    my ($after) = (Farm::psql("SELECT sign_count || ',' || last_used FROM "
                              . "stepup_credentials WHERE user_name = '$u'"))[1];
    is($after, $before, '... and the row unchanged');
}
Farm::psql("ALTER SYSTEM RESET default_transaction_read_only");
Farm::psql("SELECT pg_reload_conf()");
sleep 1;
{
    my ($f, $t) = Farm::passkey_stepup_until_ok($B, $A, $u, $key);
    is($f->code, 200, sprintf('writable again: a passkey step-up (after %.1f s)', $t))
        or diag $f->as_string;
}
Farm::stop($_) for $A, $B;
done_testing();
