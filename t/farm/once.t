# SPDX-License-Identifier: Apache-2.0
# What must happen once happens once across a farm, under any concurrency
# (StepupCache redis: and memcache:, two servers): a one-time token sent by
# many requests released together over both servers opens exactly one; of
# many simultaneous wrong passwords over both servers exactly
# StepupMaxAttempts are checked (the others get 429); a passkey assertion
# finished many times at once over both servers is accepted once. Several
# rounds each, with exact counts. Run by scripts/farm-test.sh.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib", "$FindBin::Bin/../lib";
use Test::More;
use Farm ();
use StepupClient qw(authn csrf login_begin login_finish password race
                    register_begin register_finish request);
use StepupToken qw(token_from);
use File::Spec::Functions qw(catfile);
use File::Path qw(make_path);
use Time::HiRes ();

my $ROUNDS = 3;
my $MAX = $Farm::MAX_ATTEMPTS;

sub count { my ($want, @codes) = @_; scalar grep { $_ eq $want } @codes }

# A farm with a one-time location /pay/ on every server.
sub pay_farm {
    my ($cache, $users) = @_;
    my $farm = Farm::new_farm(cache => $cache, users => $users,
                              conf => "<Location /pay/>\n"
                                    . "    Require stepup max-age=0\n"
                                    . "</Location>\n");
    for my $s (@{ $farm->{servers} }) {
        make_path(catfile($s->{dir}, 'htdocs', 'pay'));
        open my $fh, '>', catfile($s->{dir}, 'htdocs', 'pay', 'index.html')
            or die $!;
        print $fh "paid\n";
        close $fh;
    }
    return $farm;
}

sub pay {
    my ($s, $user, $token) = @_;
    return request($s, 'GET', '/pay/', $user,
                   headers => [Accept => 'application/json'],
                   token => $token);
}

for my $cache (Farm::redis_spec(), Farm::memcache_spec()) {
    my ($kind) = $cache =~ /^(\w+):/;
    my $tag = substr($kind, 0, 1);
    my %users = map { ("$_$tag" => "$_-$tag-pw-41") }
                (map({ "pay$_" } 1 .. $ROUNDS), map({ "thr$_" } 1 .. $ROUNDS),
                 'fin');
    my $farm = pay_farm($cache, \%users);
    my ($A, $B) = ($farm->a, $farm->b);
    note "$kind: A $A->{url}, B $B->{url}";

    # ---- a one-time token: one 200 of 20 requests over A and B ------------
    for my $round (1 .. $ROUNDS) {
        my $user = "pay$round$tag";
        my $tok = token_from(password($round % 2 ? $A : $B, $user));
        ok($tok, "$kind round $round: a token from a password step-up");
        my @codes = race(map { my $s = $_ % 2 ? $A : $B;
                               sub { pay($s, $user, $tok) } } 1 .. 20);
        is(count(200, @codes) . ' 200, ' . count(401, @codes) . ' 401',
           '1 200, 19 401',
           "$kind round $round: one token sent 20 times at once over two "
           . "servers opens /pay/ once (@codes)");
        is(Farm::protected($A, $user, $tok)->code, 200,
           "$kind round $round: the spent token still opens /account/");
    }

    # ---- a token the module did not mint (no mark) opens nothing once -----
    {
        my $forged = Farm::token_for($farm, "pay1$tag");
        is(pay($A, "pay1$tag", $forged)->code, 401,
           "$kind: a valid token minted outside the module: /pay/ refuses");
        is(Farm::protected($A, "pay1$tag", $forged)->code, 200,
           "$kind: ... while it opens /account/");
    }

    # ---- throttling: 24 wrong passwords at once, exactly $MAX checked -----
    for my $round (1 .. $ROUNDS) {
        my $user = "thr$round$tag";
        my $csrf = csrf($A, $user);
        my @codes = race(map { my ($i, $s) = ($_, $_ % 2 ? $A : $B);
            sub { password($s, $user, "wrong-$i", csrf => $csrf) } }
            1 .. 24);
        is(count(401, @codes) . ' checked, ' . count(429, @codes) . ' 429',
           "$MAX checked, " . (24 - $MAX) . ' 429',
           "$kind round $round: 24 wrong passwords at once over two servers: "
           . "exactly $MAX checked (@codes)");
        is(password($B, $user)->code, 429,
           "$kind round $round: then the right password too gets 429");
    }

    # ---- one assertion finished 12 times at once over A and B -------------
    {
        my $user = "fin$tag";
        my $authn = authn($Farm::SITE);
        my $tok = token_from(password($A, $user));
        my ($res, $opts) = register_begin($A, $user, token => $tok);
        my $reg = $authn->register($opts);
        is(register_finish($B, $user, $reg, token => $tok)->code, 200,
           "$kind: a passkey registered");
        for my $round (1 .. $ROUNDS) {
            my ($b, $o) = login_begin($A, $user);
            my $assertion = $authn->assert($o);
            my @codes = race(map { my $s = $_ % 2 ? $A : $B;
                sub { login_finish($s, $user, $assertion) } } 1 .. 12);
            is(count(200, @codes) . ' 200, ' . count(400, @codes) . ' 400',
               '1 200, 11 400',
               "$kind round $round: one assertion finished 12 times at once "
               . "over two servers: accepted once (@codes)");
        }
    }
    # ---- graceful restarts of both servers change nothing of it -----------
    {
        my $tok = token_from(password($A, "fin$tag"));
        for my $s ($A, $B) {
            my $off = Farm::log_offset($s);
            Farm::graceful($s);
            for (1 .. 100) {
                last if Farm::error_log($s, $off) =~ /resuming normal/;
                Time::HiRes::sleep(0.1);
            }
            Farm::wait_up($s);
        }
        is(password($B, "thr1$tag")->code, 429,
           "$kind, after graceful on A and B: thr1 still throttled");
        my @codes = race(map { my $s = $_ % 2 ? $A : $B;
                               sub { pay($s, "fin$tag", $tok) } } 1 .. 10);
        is(count(200, @codes), 1, "$kind, after graceful on A and B: a token "
           . "minted before opens /pay/ once (@codes)");
    }
    Farm::stop($_) for $farm->servers;
}

done_testing();
