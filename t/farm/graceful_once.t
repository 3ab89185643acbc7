# SPDX-License-Identifier: Apache-2.0
# One server with the default cache (shmcb): what must happen once is not
# undone by "apachectl graceful" (logrotate's) or by a flood of writes.
# - a throttled user is still throttled after a graceful restart, and after
#   other users wrote thousands of challenges into the cache;
# - a one-time token spent before a graceful restart stays spent after it;
#   one minted and not spent before it still opens the location once.
# Run by scripts/farm-test.sh.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib", "$FindBin::Bin/../lib";
use Test::More;
use Farm ();
use StepupClient qw(password register_begin request);
use StepupToken qw(token_from);
use File::Spec::Functions qw(catfile);
use File::Path qw(make_path);
use Time::HiRes ();

my $MAX = $Farm::MAX_ATTEMPTS;
my @flooders = map { "flood$_" } 1 .. 32;
my %users = ((map { ($_ => "$_-pw-77") } qw(thr thr2 spent kept)),
             map { ($_ => "$_-pw-77") } @flooders);
my $farm = Farm::new_farm(cache => 'shmcb', servers => 1, users => \%users,
                          conf => "<Location /pay/>\n"
                                . "    Require stepup max-age=0\n"
                                . "</Location>\n");
my ($S) = $farm->servers;
make_path(catfile($S->{dir}, 'htdocs', 'pay'));
open my $fh, '>', catfile($S->{dir}, 'htdocs', 'pay', 'index.html') or die $!;
print $fh "paid\n";
close $fh;

sub pay {
    my ($user, $token) = @_;
    return request($S, 'GET', '/pay/', $user,
                   headers => [Accept => 'application/json'],
                   token => $token)->code;
}

# A graceful restart, and the new generation answering.
sub graceful {
    my $off = Farm::log_offset($S);
    Farm::graceful($S);
    for (1 .. 100) {
        last if Farm::error_log($S, $off) =~ /resuming normal operations/;
        Time::HiRes::sleep(0.1);
    }
    like(Farm::error_log($S, $off), qr/resuming normal operations/,
         'apachectl graceful: a new generation');
    Farm::wait_up($S);
}

# ---- before ------------------------------------------------------------------
my @codes = map { password($S, 'thr', "wrong-$_")->code } 1 .. $MAX + 1;
is("@codes", join(' ', (401) x $MAX, 429),
   "thr: $MAX wrong passwords checked, then 429");
my $spent = token_from(password($S, 'spent'));
is(pay('spent', $spent), 200, 'spent: a one-time token opens /pay/');
is(pay('spent', $spent), 401, '... once');
my $kept = token_from(password($S, 'kept'));
ok($kept, 'kept: a one-time token, not spent yet');

# ---- graceful ----------------------------------------------------------------
graceful();
is(password($S, 'thr', 'wrong-again')->code, 429,
   'after graceful: thr is still throttled (429, the password not checked)');
is(password($S, 'thr')->code, 429,
   '... even with the right password');
is(pay('spent', $spent), 401,
   'after graceful: the spent token stays spent');
is(pay('kept', $kept), 200,
   'after graceful: the token minted before it opens /pay/ once');
is(pay('kept', $kept), 401, '... and only once');

# ---- a flood of writes by signed-in users ------------------------------------
# Each flooder steps up and asks for registration options again and again:
# every register/begin writes a challenge into the cache.
@codes = map { password($S, 'thr2', "wrong-$_")->code } 1 .. $MAX + 1;
is("@codes", join(' ', (401) x $MAX, 429),
   "thr2: $MAX wrong passwords checked, then 429");
my ($written, $begun) = (0, 0);
for my $u (@flooders) {
    my $tok = token_from(password($S, $u));
    for (1 .. 100) {
        my ($res) = register_begin($S, $u, token => $tok);
        $begun++;
        $written++ if $res->code == 200;
    }
}
is($written, $begun, "a flood: $begun registration options handed out");
is(password($S, 'thr2', 'wrong-after-flood')->code, 429,
   'after the flood: thr2 is still throttled');
graceful();
is(password($S, 'thr2', 'wrong-after-both')->code, 429,
   'after the flood and another graceful: thr2 is still throttled');
is(pay('kept', $kept), 401, '... and the spent token still spent');

Farm::stop($S);
done_testing();
