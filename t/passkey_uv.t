# SPDX-License-Identifier: Apache-2.0
# StepupUserVerification preferred and discouraged: /pk/uvpref/ and
# /pk/uvdisc/ (t/conf/passkey.conf.in) ask the browser for what the
# directive says, and accept a passkey that did not verify the user (UV flag
# clear), at level pwd only: possession of a passkey is one factor, and phr
# is "a passkey assertion with user verification". A step-up for acr=phr
# still asks for and requires UV; /pk/stepup/ (the default, required)
# refuses an assertion without UV. A bad value stops httpd at start-up.
# User: uma.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore plan done_testing need_module);
use Apache::TestRequest qw(GET);
use StepupTest qw(check reset_ua log_offset log_since configtest);
use StepupToken qw(token_from);
use StepupClient qw(err_of authn json_of register_begin register
                    login_begin login_finish login wipe);
use PasskeyTest qw(pk_basic site);

plan need_module('stepup', 'auth_basic', 'authn_file', 'dbd',
                 'socache_shmcb');

reset_ua();

my $U = 'uma';
my %base = (required => site('/pk/stepup/'),
            preferred => site('/pk/uvpref/'),
            discouraged => site('/pk/uvdisc/'));

sub page_code {
    my ($path, $token) = @_;
    return GET($path, pk_basic($U), Accept => 'application/json',
               (defined $token ? (Cookie => "stepup=$token") : ()))->code;
}

sub fields {
    my ($token) = @_;
    return '- -' unless $token;
    my $f = StepupToken::parse($token);
    return join ' ', map { defined $f->{$_} ? $f->{$_} : '-' } qw(acr amr);
}

wipe($base{required}, $U);

# ---- registration: the option, and a passkey without UV --------------------
for my $mode (qw(required preferred discouraged)) {
    my (undef, $o) = register_begin($base{$mode}, $U, name => $mode);
    check(($o || {})->{authenticatorSelection}{userVerification} || '-',
          $mode, "$mode: register/begin asks userVerification $mode");
}
my $key = authn($base{required}, uv => 0);
my $res = register($key, $base{required}, $U, name => 'no UV');
check($res->code, 400, 'required: registering without UV is refused');
check(err_of($res), qr/verif|UV/i, '... saying why: ' . err_of($res));
$res = register($key, $base{preferred}, $U, name => 'no UV');
check($res->code, 200, 'preferred: registering without UV: 200');

# ---- step-up: the option, and an assertion without UV ----------------------
for my $mode (qw(required preferred discouraged)) {
    my (undef, $o) = login_begin($base{$mode}, $U);
    check(($o || {})->{userVerification} || '-', $mode,
          "$mode: passkey/begin asks userVerification $mode");
}

$res = login($key, $base{required}, $U);
check($res->code, 401, 'required: an assertion without UV: 401');
check(err_of($res), qr/verif|UV/i, '... saying why: ' . err_of($res));
check(token_from($res), undef, '... and no token');

for my $mode (qw(preferred discouraged)) {
    my $off = log_offset();
    $res = login($key, $base{$mode}, $U);
    my $j = json_of($res) || {};
    my $tok = token_from($res);
    check($res->code, 200, "$mode: an assertion without UV: 200");
    check($j->{acr} || '-', 'pwd', '... answered at acr pwd');
    check(fields($tok), 'pwd hwk',
          '... the token says acr pwd (one factor), amr hwk');
    check(page_code('/pk/protected/', $tok), 200,
          '... it opens "Require stepup" (/pk/protected/)');
    check(page_code('/pk/phr/', $tok), 401,
          '... but not "Require stepup acr=phr" (/pk/phr/)');
    check(log_since($off), qr/STEPUP0062: user uma: passkey \S+ did not verify the user/,
          '... and the error log says why it is pwd');

    # the same passkey verifying the user this time
    $key->set(uv => 1);
    $res = login($key, $base{$mode}, $U);
    check(join(' ', $res->code, fields(token_from($res))), '200 phr hwk',
          "$mode: the same passkey with UV gives a phr token");
    check(page_code('/pk/phr/', token_from($res)), 200,
          '... which opens /pk/phr/');
    $key->set(uv => 0);
}

# ---- a step-up for phr: UV asked for and required --------------------------
my ($b, $o) = login_begin($base{preferred}, $U, acr => 'phr');
check($b->code, 200, 'preferred, acr=phr: passkey/begin: 200');
check(($o || {})->{userVerification} || '-', 'required',
      '... asks userVerification required (phr needs UV)');
$res = login_finish($base{preferred}, $U, $key->assert($o || {}));
check($res->code, 401, '... an assertion without UV: 401');
check(token_from($res), undef, '... and no token');

# ---- the directive at start-up ---------------------------------------------
my ($status, @err) = configtest(<<'EOC');
<Location /stepup/>
    SetHandler stepup
    StepupUserVerification sometimes
</Location>
EOC
check($status != 0 && $status < 128 ? 'refused' : "exit $status", 'refused',
      'StepupUserVerification sometimes: httpd -t refuses');
check(scalar(grep { /StepupUserVerification: "sometimes" must be required, preferred or discouraged/ } @err),
      1, '... with one line naming the directive and the values: '
         . join(' / ', @err));
($status) = configtest(<<'EOC');
<Location /stepup/>
    SetHandler stepup
    StepupUserVerification Discouraged
</Location>
EOC
check($status, 0, 'StepupUserVerification Discouraged (any case): accepted');

done_testing();
