# SPDX-License-Identifier: Apache-2.0
# One-time WebAuthn challenges are good for five minutes (src/httpd/webauthn_challenge.c):
# a passkey step-up finished 299 s after its begin by the server's clock
# succeeds, one finished 301 s after is refused with "the challenge has
# expired (begin again)". The server's clock is moved with libfaketime
# (LD_PRELOAD; the offset is read from a file at every call, monotonic
# clocks left alone). Redis keeps the record meanwhile, on its own real
# clock, so the refusal is the module's own check of the expiry it wrote.
# Run by scripts/farm-test.sh, which installs libfaketime.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib", "$FindBin::Bin/../lib";
use Test::More;
use Farm ();
use StepupClient qw(authn err_of login_begin login_finish register_begin
                    register_finish);

my $u = 'exp';
my $farm = Farm::new_farm_with_clock(cache => Farm::redis_spec(),
                                     servers => 1,
                                     users => { $u => 'exp-pw-64' });
my $s = $farm->{servers}[0];
my $key = authn($Farm::SITE);

my (undef, $ro) = register_begin($s, $u,
                                 token => Farm::token_for($farm, $u));
is(register_finish($s, $u, $key->register($ro || {}),
                   token => Farm::token_for($farm, $u))->code, 200,
   'a passkey registered');

my ($res, $o) = login_begin($s, $u);
is($res->code, 200, 'passkey/begin');
Farm::server_clock(299);
$res = login_finish($s, $u, $key->assert($o || {}));
is($res->code, 200, 'finished 299 s later by the server\'s clock: 200');

($res, $o) = login_begin($s, $u);
is($res->code, 200, 'passkey/begin again');
Farm::server_clock(299 + 301);
$res = login_finish($s, $u, $key->assert($o || {}));
is($res->code, 400, 'finished 301 s later: 400');
is(err_of($res), 'the challenge has expired (begin again)',
   '... the challenge has expired');

($res, $o) = login_begin($s, $u);
is($res->code, 200, 'a new begin at that time');
is(login_finish($s, $u, $key->assert($o || {}))->code, 200,
   '... finished at once: 200');

done_testing();
