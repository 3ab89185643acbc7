# SPDX-License-Identifier: Apache-2.0
# Every validity rule of the token (src/core/token.c), through httpd. Each
# refused token has a twin that differs only in what the rule looks at and
# is accepted, so the test fails if the rule is missing; each refusal is
# also checked to be logged (STEPUP0004) with the reason of that rule, not
# another one.
#   /rules/       Require stepup              (max-age 300, acr pwd)
#   /rules-phr/   Require stepup acr=phr
#   /rules-long/  Require stepup max-age=1000 (StepupLifetime 600 caps it)
#   /rules-bind/  StepupBindCookie sess
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore plan done_testing need_module);
use Apache::TestRequest qw(GET POST);
use StepupTest qw(check basic reset_ua token secret error_log_text);
use StepupToken ();

plan need_module('stepup', 'headers', 'auth_basic', 'authn_file');

reset_ua();

my $case = 0;

# A request with the token in the stepup cookie (plus any other cookies).
sub with_token {
    my ($path, $tok, %o) = @_;
    my $cookie = "stepup=$tok";
    $cookie = "$o{cookies}; $cookie" if defined $o{cookies};
    return GET $path, basic($o{user} || 'alice'), Cookie => $cookie,
        Accept => 'application/json';
}

# The reason logged for the last refusal of $uri.
sub logged_reason {
    my ($uri) = @_;
    my $reason = '';
    for my $line (split /\n/, error_log_text()) {
        $reason = $1
            if $line =~ /STEPUP0004: .* refused for \Q$uri\E: (.*)$/;
    }
    return $reason;
}

# The token is refused (401), and for the expected reason. Each
# case gets a path of its own under the location so its log line is found.
sub refused {
    my ($loc, $tok, $reason_re, $name, %o) = @_;
    (my $slug = lc $name) =~ s/[^a-z0-9]+/-/g;
    my $uri = sprintf '%scase%02d-%s', $loc, ++$case, substr($slug, 0, 40);
    my $res = with_token($uri, $tok, %o);
    check($res->code, 401, "$name: 401");
    check(logged_reason($uri), $reason_re,
          "$name: refused for that reason (error_log)");
    return $res;
}

# The token is accepted.
sub accepted {
    my ($loc, $tok, $name, %o) = @_;
    my $res = with_token($loc, $tok, %o);
    check($res->code, 200, "$name: 200");
    return $res;
}

# Runs $code (which mints with time() and sends) until the second did not
# change between the minting and the answer, so that a boundary of exactly
# one second is tested without a race.
sub same_second {
    my ($code) = @_;
    my $res;
    for (1 .. 5) {
        my $t0 = time;
        $res = $code->($t0);
        return $res if time == $t0;
    }
    die "the clock kept turning over\n";
}

my $now = time;

# ---- the control: a valid token --------------------------------------------
accepted('/rules/', token(), 'valid token');

# ---- version ---------------------------------------------------------------
refused('/rules/', token(version => 'v3'), qr/version/,
        'version v3, MAC right for it');
refused('/rules/', token(version => 'v2'), qr/^malformed payload$/,
        'v1 fields signed as v2 (no txn field)');
# a transaction-bound token opens only the request it names: another
# request (here another path) is refused for that reason
refused('/rules/', StepupToken::mint_v2(secret => secret('k1'), kid => 'k1',
                                        user => 'alice',
                                        txn => StepupToken::txn_value(
                                            'GET', '/rules/')),
        qr/^transaction-bound token for another request$/,
        'a v2 token for another request');
# ... and its own request only once: a token the module did not mint has
# no unspent mark in StepupCache, so even its own request is refused
{
    my $uri = '/rules/v2-own-request';
    my $v2 = StepupToken::mint_v2(secret => secret('k1'), kid => 'k1',
                                  user => 'alice',
                                  txn => StepupToken::txn_value('GET', $uri));
    check(with_token($uri, $v2)->code, 401,
          'a v2 token for this very request, minted outside the module: 401');
    check(logged_reason($uri), '',
          '... its transaction matched (no token refusal logged)');
    check(error_log_text(), qr/STEPUP0007: user alice .*already spent or unknown to StepupCache \(\Q$uri\E\)/,
          '... and it was refused as a one-time token without its mark');
}
# a POST: the body is part of the transaction (another amount is another
# request), and it is read before the check without being lost
{
    my $uri = '/rules/v2-transfer';
    my $ct = 'application/x-www-form-urlencoded';
    my $post = sub {
        my ($tok, $body) = @_;
        return POST($uri, basic('alice'), Cookie => "stepup=$tok",
                    Accept => 'application/json', 'Content-Type' => $ct,
                    content => $body);
    };
    my $for = sub {
        StepupToken::mint_v2(secret => secret('k1'), kid => 'k1',
                             user => 'alice',
                             txn => StepupToken::txn_value('POST', $uri, $ct,
                                                           $_[0]));
    };
    check($post->($for->('amount=50&to=bob'), 'amount=5000&to=bob')->code,
          401, 'a v2 token for $50 sent with a $5000 body: 401');
    check(logged_reason($uri), 'transaction-bound token for another request',
          '... refused as a token for another request');
    check($post->($for->('amount=5000&to=bob&x=1'),
                  'amount=5000&to=bob&x=1')->code, 401,
          'a v2 token for this very body, minted outside the module: 401');
    check(error_log_text(), qr/STEPUP0007: user alice .*\(\Q$uri\E\)/,
          '... its transaction matched: refused only for want of its mark');
}
refused('/rules/', token(version => 'V1'), qr/version/,
        'version V1 (case matters)');
accepted('/rules/', token(version => 'v1'),
         'version v1, same fields (twin of the v2 token)');

# ---- kid -------------------------------------------------------------------
refused('/rules/', token(kid => 'k3', secret => 'x' x 32), qr/key id/,
        'unknown kid k3');
refused('/rules/', token(kid => 'k3', secret => secret('k1')), qr/key id/,
        'unknown kid k3 with the MAC of k1\'s secret');
accepted('/rules/', token(kid => 'k1', secret => secret('k1')),
         'kid k1 with k1\'s secret (twin)');

# ---- MAC -------------------------------------------------------------------
{
    my $good = token();
    my $p = StepupToken::parse($good);
    my $flipped = join '.', @$p{qw(version kid payload)},
        StepupToken::flip_char($p->{mac}, 20);
    refused('/rules/', $flipped, qr/MAC/, 'one MAC character flipped');
    refused('/rules/', join('.', @$p{qw(version kid payload)},
                            StepupToken::noncanonical_last($p->{mac})),
            qr/MAC/, 'MAC with a non-canonical last character');
    refused('/rules/', token(mac_secret => secret('k2')), qr/MAC/,
            'kid k1 but signed with k2\'s secret');
    refused('/rules/', join('.', @$p{qw(version kid payload)}, ''),
            qr/malformed|MAC/, 'empty MAC');
}

# ---- tampered payload, original MAC ----------------------------------------
{
    my $good = token(auth_time => $now - 250);
    my $p = StepupToken::parse($good);
    my $fresher = StepupToken::b64url(
        join '|', $now - 5, $now + 295, @$p{qw(acr amr bind user)});
    refused('/rules/', join('.', @$p{qw(version kid)}, $fresher, $p->{mac}),
            qr/MAC/, 'auth_time made fresher in the payload');
    my $phr = StepupToken::b64url(
        join '|', @$p{qw(auth_time expires)}, 'phr', @$p{qw(amr bind user)});
    refused('/rules-phr/', join('.', @$p{qw(version kid)}, $phr, $p->{mac}),
            qr/MAC/, 'acr raised to phr in the payload');
}

# ---- user ------------------------------------------------------------------
refused('/rules/', token(user => 'bob'), qr/another user/,
        'token of bob, request of alice');
refused('/rules/', token(user => 'Alice'), qr/another user/,
        'token of Alice, request of alice (case matters)');
refused('/rules/', token(user => 'alice|x'), qr/another user/,
        'token of "alice|x", request of alice');
accepted('/rules/', token(user => 'alice'), 'token of alice (twin)');

# ---- auth_time in the future: 61 s refused, 60 and 59 s accepted -----------
{
    my $uri;
    my $res = same_second(sub {
        my ($t) = @_;
        $uri = sprintf '/rules/case%02d-future-61', ++$case;
        with_token($uri, token(auth_time => $t + 61, expires => $t + 300));
    });
    check($res->code, 401, 'auth_time 61 s in the future: 401');
    check(logged_reason($uri), qr/future/,
          'auth_time 61 s in the future: refused for that reason');
    accepted('/rules/', token(auth_time => time + 59, expires => time + 300),
             'auth_time 59 s in the future');
    $res = same_second(sub {
        my ($t) = @_;
        with_token('/rules/', token(auth_time => $t + 60, expires => $t + 300));
    });
    check($res->code, 200, 'auth_time exactly 60 s in the future: 200');
}

# ---- expires ---------------------------------------------------------------
refused('/rules/', token(auth_time => $now - 10, expires => $now - 1),
        qr/expired/, 'expires = now - 1');
refused('/rules/', token(auth_time => $now - 10, expires => $now),
        qr/expired/, 'expires = now (valid only while now < expires)');
accepted('/rules/', token(auth_time => $now - 10, expires => time + 30),
         'expires = now + 30 (twin)');

# ---- max-age of the location -----------------------------------------------
refused('/rules/', token(auth_time => $now - 301, expires => $now + 100),
        qr/max-age/, 'auth_time 301 s ago on a max-age 300 location');
accepted('/rules/', token(auth_time => time - 290, expires => time + 100),
         'auth_time 290 s ago (twin)');
check(same_second(sub {
          my ($t) = @_;
          with_token('/rules/', token(auth_time => $t - 300,
                                      expires => $t + 100));
      })->code, 200, 'auth_time exactly 300 s ago on a max-age 300 location');

# ---- acr -------------------------------------------------------------------
refused('/rules-phr/', token(acr => 'pwd'), qr/level/,
        'pwd token on an acr=phr location');
accepted('/rules-phr/', token(acr => 'phr', amr => 'swk'),
         'phr token on an acr=phr location');
accepted('/rules-phr/', token(acr => 'phrh', amr => 'hwk'),
         'phrh token on an acr=phr location');
accepted('/rules/', token(acr => 'pwd'),
         'pwd token on a pwd location');

# ---- StepupLifetime 600 caps max-age=1000 ----------------------------------
refused('/rules-long/', token(auth_time => $now - 700, expires => $now + 100),
        qr/expired/,
        'auth_time 700 s ago, expires in 100 s, StepupLifetime 600');
accepted('/rules-long/',
         token(auth_time => time - 500, expires => time + 100),
         'auth_time 500 s ago, expires in 100 s (twin)');

# ---- binding to the session cookie "sess" ----------------------------------
{
    my $sess = 'S' . join('', map { int rand 10 } 1 .. 24);
    my $bound = token(bind => StepupToken::bind_value($sess));
    accepted('/rules-bind/', $bound, 'bound token + its session cookie',
             cookies => "sess=$sess");
    refused('/rules-bind/', $bound, qr/session/,
            'bound token without the session cookie');
    refused('/rules-bind/', $bound, qr/session/,
            'bound token with another session', cookies => "sess=${sess}x");
    refused('/rules-bind/', token(bind => '-'), qr/session/,
            'unbound token with a session cookie', cookies => "sess=$sess");
    refused('/rules-bind/', token(bind => StepupToken::bind_value('')),
            qr/session/, 'token bound to an empty session, empty cookie',
            cookies => 'sess=');
    accepted('/rules/', $bound,
             'bound token where binding is off');
}

# ---- key rotation: the second key verifies ---------------------------------
accepted('/rules/', token(kid => 'k2'), 'token signed with k2 (not first)');
{
    my $res = with_token('/rules/', token(kid => 'k2', auth_time => $now - 7));
    check(scalar $res->header('X-Stepup-Auth-Time'), $now - 7,
          'k2 token: its fields are used');
}
refused('/rules/', token(kid => 'k2', secret => secret('k1')), qr/MAC/,
        'kid k2 with the MAC of k1\'s secret');

# ---- an authentic token whose payload breaks the format --------------------
{
    my ($at, $ex) = ($now - 10, $now + 290);
    my @bad = (
        [ "$at|$ex|xyz|pwd|-|alice",   'unknown acr' ],
        [ "$at|$ex|pwd|otp|-|alice",   'unknown amr' ],
        [ "+$at|$ex|pwd|pwd|-|alice",  'auth_time with a sign' ],
        [ "$at|${ex}x|pwd|pwd|-|alice", 'expires not a number' ],
        [ "$at|$ex|pwd|pwd|-|",        'empty user' ],
        [ "$at|$ex|pwd|pwd|alice",     'five fields' ],
        [ "$at|$ex|pwd|pwd|abc|alice", 'bind neither - nor 22 characters' ],
        [ "$at|$ex|pwd|pwd|-|ali\0ce", 'NUL in the user' ],
    );
    for my $b (@bad) {
        refused('/rules/', token(payload_text => $b->[0]), qr/payload/,
                "authentic token, $b->[1]");
    }
}

done_testing();
