# SPDX-License-Identifier: Apache-2.0
# Malformed tokens of many shapes, in the cookie and in StepupTokenHeader:
# always the step-up 401, never a 500, never a crashed child, and the
# token is never written to the error log.
#   /garbage/  StepupTokenHeader X-Stepup-Token, Require stepup
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore plan done_testing need_module);
use Apache::TestRequest qw(GET);
use MIME::Base64 qw(encode_base64);
use StepupTest qw(check basic reset_ua token secret error_log_text);
use StepupToken ();

my $now = time;
my $good = token();
my $gp = StepupToken::parse($good);
my $binary = join '', map { chr } 0x80 .. 0xff;

# Standard base64 (with '+', '/' and '=' padding) of $text.
sub std_b64 { my $s = encode_base64($_[0], ''); return $s }

# A payload whose standard base64 has '+' or '/' in it (auth_time varies).
my ($plus_text) = grep { std_b64($_) =~ m{[+/]} }
    map { join '|', $now - $_, $now + 290, 'pwd', 'pwd', '-', 'alice' }
    10 .. 400;
# A payload whose encoding needs '=' padding.
my ($pad_text) = grep { length($_) % 3 }
    map { join '|', $now - $_, $now + 290, 'pwd', 'pwd', '-', 'alice' }
    10 .. 12;
# A valid token whose MAC has '-' or '_', then spelled with '+' and '/'.
my ($mac_tok) = grep { (split /\./)[3] =~ /[-_]/ }
    map { token(auth_time => $now - $_) } 10 .. 400;
(my $mac_std = $mac_tok) =~ tr{-_}{+/};

my @cases = (
    [ ''                                      => 'empty' ],
    [ 'v1'                                    => '"v1"' ],
    [ 'v1.'                                   => '"v1."' ],
    [ 'v1...'                                 => '"v1..."' ],
    [ 'v1....'                                => '"v1...."' ],
    [ '.....'                                 => 'only dots' ],
    [ 'v1' . ('.' x 3000)                     => '"v1" and 3000 dots' ],
    [ 'A' x 5000                              => '5000 characters' ],
    [ "v1.k1." . ('A' x 5000) . '.' . $gp->{mac} => '5000-character payload' ],
    [ $binary                                 => 'binary bytes 0x80-0xff' ],
    [ "v1.k1.$binary.$gp->{mac}"              => 'binary payload' ],
    [ token(payload_text => $plus_text, payload_b64 => \&std_b64)
                                              => 'payload in base64 with + or /, MAC right' ],
    [ $mac_std                                => 'MAC spelled with + and /' ],
    [ token(payload_text => $pad_text, payload_b64 => \&std_b64)
                                              => 'payload with = padding, MAC right' ],
    [ "$good="                                => 'MAC with = padding' ],
    [ "$good.$gp->{mac}"                      => 'five parts' ],
    [ token(kid => 'k' x 17, secret => secret('k1')) => '17-character kid' ],
    [ token(kid => 'k$1', secret => secret('k1'))    => 'kid with a $' ],
    [ token(kid => '', secret => secret('k1'))       => 'empty kid' ],
    [ join('.', 'v1', 'k1', '', $gp->{mac})   => 'empty payload' ],
    [ "$good x"                               => 'a valid token followed by text' ],
    [ substr($good, 0, -1)                    => 'a valid token less its last character' ],
    [ "%76%31" . substr($good, 2)             => 'a valid token with %-encoded "v1"' ],
);

plan need_module('stepup', 'auth_basic', 'authn_file');

reset_ua();

# ---- each shape in the cookie and in the header (2 x cases) ----------------
for my $c (@cases) {
    my ($value, $name) = @$c;
    my $res = GET '/garbage/', basic('alice'), Accept => 'application/json',
        Cookie => "stepup=$value";
    check($res->code, 401, "cookie: $name: 401");
    $res = GET '/garbage/', basic('alice'), Accept => 'application/json',
        'X-Stepup-Token' => $value;
    check($res->code, 401, "header: $name: 401");
}

# ---- shapes that only a Cookie header can take -----------------------------
check(GET('/garbage/', basic('alice'),
          Cookie => "stepup=$good ; theme=dark")->code,
      401, 'cookie: a valid token with a trailing space: 401');
check(GET('/garbage/', basic('alice'),
          Cookie => "stepup=$good; stepup=v1.k1.x.y")->code,
      401, 'two stepup cookies, the valid one first: 401');
check(GET('/garbage/', basic('alice'),
          Cookie => "stepup=v1.k1.x.y; stepup=$good")->code,
      401, 'two stepup cookies, the valid one last: 401');
check(GET('/garbage/', basic('alice'),
          Cookie => "stepup=$good, stepup=" . token(user => 'bob'))->code,
      401, 'two stepup cookies separated by a comma: 401');
{
    my $many = join '; ', map { "c$_=" . ('x' x 20) } 1 .. 300;
    check(length($many) > 7000 ? 1 : 0, 1,
          'the huge Cookie header is over 7000 bytes');
    check(GET('/garbage/', basic('alice'),
              Cookie => "$many; stepup=v1.k1.AAAA.BBBB")->code,
          401, 'a huge Cookie header with a bad token: 401');
    check(GET('/garbage/', basic('alice'),
              Cookie => substr($many, 0, 3000) . "; stepup=$good; "
                      . substr($many, 3000))->code,
          200, 'a huge Cookie header with the valid token inside: 200');
    my $res = GET '/garbage/', basic('alice'),
        Cookie => ('x' x 12000) . "; stepup=$good";
    check($res->code, qr/^4\d\d$/,
          'a Cookie header over LimitRequestFieldSize: a 4xx, not a 500');
}

# ---- control characters (httpd itself may refuse them) ---------------------
{
    my $res = GET '/garbage/', basic('alice'),
        Cookie => "stepup=v1.k1.\x01\x02\x7f." . $gp->{mac};
    check($res->code, qr/^(?:400|401)$/,
          'control characters in the cookie: 400 or 401, never 500');
}

# ---- the server is fine afterwards -----------------------------------------
{
    my $res = GET '/garbage/', basic('alice'), 'X-Stepup-Token' => $good;
    check($res->code, 200, 'after all that garbage a valid token: 200');
    sleep 1;    # let the parent log any child that died
    my $log = error_log_text();
    my @crash = grep { /Segmentation fault|exit signal|AH00052|AH00051|
                        double free|stack smashing|\bcore dumped\b/x }
                split /\n/, $log;
    check(scalar(@crash), 0,
          'no crashed child in the error log'
          . (@crash ? ": $crash[0]" : ''));
    check(scalar(grep { /\[stepup:(?:error|crit|alert|emerg)\]/ }
                 split /\n/, $log), 0,
          'no stepup error in the error log for bad tokens');
    check(index($log, $gp->{mac}), -1,
          'the token\'s MAC never appears in the error log');
}

done_testing();
