# SPDX-License-Identifier: Apache-2.0
# StepupMaxAttempts N SECONDS: after N failed passwords for a user within
# the window, every try, even the right password, gets 429 with Retry-After
# until the window ends. Other users and the primary session are not
# affected; a success clears the count.
#   /handler-throttle/        StepupMaxAttempts 3 60 (dave, erin, hank)
#   /handler-throttle-short/  StepupMaxAttempts 2 3  (gina)
#   /handler-basic/           the same users' Basic session, no step-up
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore plan done_testing need_module);
use Apache::TestRequest qw(GET);
use StepupTest qw(check basic reset_ua error_log_text %PASSWORDS log_offset
                  log_since);
use StepupClient qw(json_of);
use StepupHandler qw(%USERS %ALIAS_PASSWORDS csrf_mint post_form
                     set_cookies security_checks);

plan need_module('stepup', 'auth_basic', 'authn_file',
                 'authn_core', 'socache_shmcb');

reset_ua();

sub hbasic { my ($u) = @_; return basic($u, $USERS{$u}) }

sub try_pw {
    my ($base, $user, $password, @h) = @_;
    return post_form("${base}password", [ csrf => csrf_mint(user => $user),
        password => $password, return_to => '/t' ], hbasic($user), @h);
}

my $T = '/handler-throttle/';

# ---- dave: three failures, then locked -------------------------------------
{
    for my $n (1 .. 3) {
        my $res = try_pw($T, 'dave', "wrong-$n");
        check($res->code . ' ' . (defined $res->header('Retry-After') ? 'Retry-After'
              : '-'), '401 -', "dave, failure $n of 3: 401, no Retry-After");
    }
    my $off = log_offset();
    my $start = time;
    my $res = try_pw($T, 'dave', $USERS{dave});
    my $ra = $res->header('Retry-After');
    check($res->code, 429, 'dave, locked: the right password gets 429');
    check(defined $ra && $ra =~ /^\d+$/ && $ra >= 55 && $ra <= 60
          ? 'within the window' : $ra, 'within the window',
          'dave, locked: Retry-After is the rest of the 60 s window');
    check(scalar(set_cookies($res)), 0, 'dave, locked: no cookie');
    check($res->content, qr{<p class="error" role="alert" id="error">Too many failed attempts\. Try again in \Q$ra\E seconds\.</p>},
          'dave, locked: the page says when to try again');
    check($res->content, qr{<h1 id="title">Confirm access</h1>},
          'dave, locked: on the Confirm access page');
    check(log_since($off), qr/STEPUP0100: user dave from 127\.0\.0\.1: step-up by password \(acr pwd\): refused: too many failed attempts$/m,
          'dave, locked: logged');
    security_checks($res, 'the 429 answer');

    $res = try_pw($T, 'dave', 'wrong-4');
    check($res->code, 429, 'dave, locked: a wrong password gets 429 too');
    $res = try_pw($T, 'dave', $USERS{dave}, Accept => 'application/json');
    my $j = json_of($res) || {};
    check($res->code, 429, 'dave, locked, JSON: 429');
    check(($j->{ok} ? 'true' : 'false') . ' ' . ($j->{error} || ''),
          qr/^false Too many failed attempts\. Try again in \d+ seconds\.$/,
          'dave, locked, JSON: {"ok":false,"error":...}');
    check($res->header('Retry-After') || '', qr/^\d+$/,
          'dave, locked, JSON: Retry-After');
    check(scalar(set_cookies($res)), 0, 'dave, locked, JSON: no cookie');
    # the lock does not restart the window
    $ra = $res->header('Retry-After') || 0;
    check($ra <= 60 - (time - $start) + 1 ? 'same window' : $ra, 'same window',
          'dave, locked: refused tries do not extend the window');
}

# ---- the scope: other users, the primary session, the page -----------------
{
    my $res = try_pw($T, 'erin', 'erin-wrong');
    check($res->code, 401, 'erin (another user, same location): a wrong '
          . 'password is 401, not 429');
    $res = try_pw($T, 'erin', $USERS{erin});
    check($res->code, 303, 'erin: the right password works (303)');
    check(scalar(set_cookies($res)), 1, 'erin: and gets the cookie');

    $res = GET '/handler-basic/', hbasic('dave');
    check($res->code, 200, 'dave\'s primary session (Basic) still works');
    check($res->content, "ok handler-basic\n", 'dave\'s pages are served');
    check(scalar(set_cookies($res)), 0, 'dave\'s session is not touched');
    $res = GET $T, hbasic('dave');
    check($res->code, 200, 'dave can still load the Confirm access page');
    check($res->content, qr/<input id="password" name="password" type="password"/,
          'dave\'s page still offers the password');
    $res = GET "${T}status", hbasic('dave');
    check($res->code, 200, 'dave\'s status: 200');
    check((json_of($res) || {})->{has_password} ? 'true' : 'false', 'true',
          'dave\'s status: has_password true (asking is no failed attempt)');
    $res = try_pw($T, 'dave', $USERS{dave});
    check($res->code, 429, 'dave, after all that: still locked');
    # a wrong Basic password is the primary authentication's business
    $res = GET '/handler-basic/', basic('dave', 'not-daves');
    check($res->code, 401, 'a wrong Basic password: the primary 401');
    check(scalar($res->header('WWW-Authenticate')) || '', qr/^Basic /,
          'a wrong Basic password: the primary challenge');
    check(GET('/handler-basic/', hbasic('dave'))->code, 200,
          'dave\'s Basic session after that: 200');
}

# ---- a success clears the count --------------------------------------------
{
    my @codes;
    for my $round (1 .. 2) {
        push @codes, try_pw($T, 'hank', "wrong-$round-$_")->code for 1 .. 2;
        push @codes, try_pw($T, 'hank', $USERS{hank})->code;
    }
    check(join(' ', @codes[0, 1]), '401 401', 'hank: two failures');
    check($codes[2], 303, 'hank: then the right password (303)');
    check(join(' ', @codes[3, 4]), '401 401', 'hank: two more failures');
    check($codes[5], 303, 'hank: the right password again (303): the success '
          . 'cleared the count');
    my $res = try_pw($T, 'hank', 'wrong-3-1');
    check($res->code, 401, 'hank: a third failure since the success: 401');
    check(try_pw($T, 'hank', $USERS{hank})->code, 303,
          'hank: still not locked');
}

# ---- the window ends -------------------------------------------------------
{
    my $S = '/handler-throttle-short/';
    my @codes = map { try_pw($S, 'gina', "gina-wrong-$_")->code } 1 .. 2;
    check("@codes", '401 401', 'gina: two failures (StepupMaxAttempts 2 3)');
    my $res = try_pw($S, 'gina', $USERS{gina});
    my $ra = $res->header('Retry-After');
    check($res->code, 429, 'gina: locked (429)');
    check(defined $ra && $ra =~ /^\d+$/ && $ra >= 1 && $ra <= 3
          ? 'within 1..3' : $ra, 'within 1..3',
          'gina: Retry-After within the 3 s window');
    check(scalar(set_cookies($res)), 0, 'gina, locked: no cookie');
    sleep(($ra && $ra =~ /^\d+$/ ? $ra : 3) + 1);
    $res = try_pw($S, 'gina', $USERS{gina});
    check($res->code, 303, 'gina, after Retry-After: the right password works');
    check(scalar(set_cookies($res)), 1, 'gina, after Retry-After: the cookie');
    # and a new window starts from nothing
    @codes = map { try_pw($S, 'gina', "gina-wrong-b$_")->code } 1 .. 2;
    check("@codes", '401 401', 'gina: two new failures');
    check(try_pw($S, 'gina', $USERS{gina})->code, 429,
          'gina: locked again after two');
    check(GET($S, hbasic('gina'))->code, 200,
          'gina, locked: the page still loads');
}

# ---- no password of any user in t/logs/error_log ---------------------------
{
    my $log = error_log_text();
    my %all = (%PASSWORDS, %USERS, map { ("$_ (alias)" => $ALIAS_PASSWORDS{$_}) }
                                      keys %ALIAS_PASSWORDS);
    my @found = sort grep { index($log, $all{$_}) >= 0 } keys %all;
    check(join(', ', @found), '', 'no user\'s password appears in '
          . 't/logs/error_log');
}

done_testing();
