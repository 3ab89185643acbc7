# SPDX-License-Identifier: Apache-2.0
# A parked request is kept for 10 minutes (src/httpd/park.c): its confirm
# page 599 s after it was parked, by the server's clock, shows it; 601 s
# after, the page and POST resume answer 400 "this action expired". The
# server's clock is moved with libfaketime (Farm::new_farm_with_clock); Redis
# keeps the record meanwhile on its own real clock, so the refusal is the
# module's own check of the time it wrote. Run by scripts/farm-test.sh.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib", "$FindBin::Bin/../lib";
use Test::More;
use Farm ();
use StepupClient qw(csrf json_of password request);
use StepupToken qw(token_from);

my $u = 'parker';
my $farm = Farm::new_farm_with_clock(cache => Farm::redis_spec(),
                                     servers => 1,
                                     users => { $u => 'parker-pw-71' },
                                     conf => "<Location /transfer/>\n"
                                           . "    Require stepup\n"
                                           . "</Location>\n");
my $s = $farm->{servers}[0];

# A call parked now: its id.
sub park {
    my $res = request($s, 'POST', '/transfer/', $u,
                      headers => [Accept => 'application/json',
                                  'Content-Type' => 'application/json'],
                      content => '{"amount":5}');
    is($res->code, 401, 'a call without a token: 401');
    return (json_of($res) || {})->{resume} // '';
}

sub page { request($s, 'GET', "/stepup/?resume=$_[0]", $u) }

my $id = park();
Farm::server_clock(599);
my $res = page($id);
is($res->code, 200, 'its confirm page 599 s later by the server\'s clock: 200');
like($res->content, qr{POST /transfer/}, '... shows it');

Farm::server_clock(599 + 2);
$res = page($id);
is($res->code, 400, '601 s after: 400');
like($res->content, qr/this action expired/, '... the page says it expired');
my $token = token_from(password($s, $u));
$res = request($s, 'POST', '/stepup/resume', $u, token => $token,
               content => [csrf => csrf($s, $u), id => $id]);
is($res->code, 400, '... POST resume: 400');
like($res->content, qr/this action expired/, '... it expired');

$id = park();
is(page($id)->code, 200, 'a call parked at that time: its page at once: 200');

done_testing();
