# SPDX-License-Identifier: Apache-2.0
# StepupBindCookie with a passkey step-up: at /pk/bind/
# (t/conf/passkey.conf.in) the token from passkey/finish is bound to the
# session cookie "sess"; without that cookie the finish is refused with a
# reason and no token. /pk/bound/ (StepupBindCookie sess, Require stepup)
# opens only with the same session cookie. User: bea.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore plan done_testing need_module);
use Apache::TestRequest qw(GET);
use StepupTest qw(check reset_ua log_offset log_since);
use StepupToken qw(token_from);
use StepupClient qw(err_of authn json_of register login_begin login_finish
                    wipe);
use PasskeyTest qw(pk_basic site);

plan need_module('stepup', 'auth_basic', 'authn_file', 'dbd',
                 'socache_shmcb');

reset_ua();

my $U = 'bea';
my $B = site('/pk/bind/');
my @sess = (headers => [ Cookie => 'sess=Bea-Session-1' ]);

sub bound_page {
    my ($token, $sess) = @_;
    return GET('/pk/bound/', pk_basic($U), Accept => 'application/json',
               Cookie => join('; ', "stepup=$token",
                              defined $sess ? "sess=$sess" : ()))->code;
}

# registered at /pk/stepup/ (the same store): registering at /pk/bind/
# would itself need a bound token
wipe(site('/pk/stepup/'), $U);
my $key = authn($B);
check(register($key, site('/pk/stepup/'), $U, name => 'Key')->code, 200,
      'setup: bea registers a passkey');

# ---- no session cookie: refused, nothing issued ----------------------------
my $off = log_offset();
my (undef, $o) = login_begin($B, $U);
my $res = login_finish($B, $U, $key->assert($o || {}));
check($res->code, 400, 'finish without the session cookie: 400');
check(err_of($res), qr/session cookie/,
      '... saying why: ' . err_of($res));
check(token_from($res), undef, '... and no token');
check(log_since($off), qr/STEPUP\d+: .*bea.*no session cookie to bind the token to/,
      '... and the error log says so');
$res = login_finish($B, $U, $key->assert($o || {}), @sess);
check($res->code, 400, '... and that challenge is spent (a second finish: 400)');

# ---- with the session cookie: a bound token --------------------------------
(undef, $o) = login_begin($B, $U, @sess);
$res = login_finish($B, $U, $key->assert($o || {}), @sess);
check($res->code, 200, 'finish with the session cookie: 200');
my $tok = token_from($res);
my $f = StepupToken::parse($tok || 'x.x.x.x');
check(join(' ', $f->{acr} || '-', $f->{user} || '-'), 'phr bea',
      '... a phr token for bea');
check($f->{bind}, StepupToken::bind_value('Bea-Session-1'),
      '... bound to the session cookie');

check(bound_page($tok, 'Bea-Session-1'), 200,
      '/pk/bound/ with the token and the same session: 200');
check(bound_page($tok, 'Another-Session'), 401,
      '/pk/bound/ with the token and another session: 401');
check(bound_page($tok), 401,
      '/pk/bound/ with the token and no session cookie: 401');
check(GET('/pk/protected/', pk_basic($U), Accept => 'application/json',
          Cookie => "stepup=$tok")->code, 200,
      'a location without StepupBindCookie takes the bound token as it is');
check((json_of($res) || {})->{ok} ? 'ok' : 'not ok', 'ok',
      'the finish answered ok');

done_testing();
