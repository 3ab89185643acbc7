# SPDX-License-Identifier: Apache-2.0
# Who may change a user's passkeys. Adding (register/begin and finish),
# removing and renaming a passkey need a recent token of at least
# StepupEnrollACR and at least the level of the strongest passkey the user
# has: with a security key (phrh) registered, a password (or a synced
# passkey) no longer adds or removes one. The federated bootstrap (no
# password, no passkey, no token) only where StepupMethods names bootstrap.
# Refusals say the level needed and where to confirm; the manage page sends
# the browser there.
#   /pk/hi/        attestation roots and AAGUID list (a phrh key is possible)
#   /pk/stepup/    the defaults: StepupEnrollACR pwd, no bootstrap
#   /pk/enrol-phr/ StepupEnrollACR phr
#   /pk/boot/      StepupMethods password passkey bootstrap
# Users: enzo, elsa, edda (with passwords), fay (federated: no password).
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore plan done_testing need_module);
use Apache::TestRequest qw(GET POST);
use Apache::TestUtil qw(t_write_file);
use File::Spec::Functions qw(catfile);
use File::Temp qw(tempdir);
use StepupTest qw(check reset_ua hostport_url log_offset log_since
                  configtest);
use StepupToken qw(token_from);
use StepupClient qw(decoded err_of authn json_of csrf status post_json
                    register_begin register_finish register login passkeys
                    wipe);
use PasskeyTest qw(pk_basic token_for strong_token ca site);
use SoftAuthn ();

plan need_module('stepup', 'auth_basic', 'authn_file', 'dbd',
                 'socache_shmcb');

reset_ua();

my $H = site('/pk/hi/');
my $B = site('/pk/stepup/');
my $E = site('/pk/enrol-phr/');
my $BOOT = site('/pk/boot/');
my $tmp = tempdir('enrol-XXXXXX', DIR => $FindBin::Bin, CLEANUP => 1);

wipe($B, $_) for qw(enzo elsa edda fay);

sub count { my $l = passkeys($B, $_[0]); return $l ? scalar @$l : 'no list' }
# sorted: two passkeys added in the same second have no order
sub names { return join ',', sort map { $_->{name} } @{ passkeys($B, $_[0]) || [] } }
sub pwd_token { return token_for($_[0]) }
sub phr_token { return token_for($_[0], acr => 'phr', amr => 'hwk') }
# "<status> <acr needed>" of a JSON refusal
sub refusal {
    my ($r) = @_;
    my $j = json_of($r) || {};
    return $r->code . ' ' . ($j->{acr} || 'no acr');
}
sub change {
    my ($base, $what, $user, $body, $token) = @_;
    return post_json($base, "passkeys/$what", $user, $body, token => $token);
}
sub manage {
    my ($base, $user, $token) = @_;
    return GET("${base}manage", pk_basic($user), Accept => 'text/html',
               (defined $token ? (Cookie => "stepup=$token") : ()));
}

# ---- a user with a security key (phrh): enzo at /pk/hi/ ------------------
my $CA = ca();
my $LISTED = SoftAuthn::aaguid_bytes($PasskeyTest::LISTED_AAGUIDS[0]);
my $cert = SoftAuthn::make_attestation_cert($tmp, $CA, $LISTED);
my $key = authn($B, attestation => 'x5c', aaguid => $LISTED,
                x5c => [ $cert->{der} ], att_key => $cert->{key_pem});
my $phone = authn($B, alg => 'EdDSA', be => 1, bs => 1);
{
    my $r = register($key, $H, 'enzo', token => pwd_token('enzo'),
                     name => 'Security key');
    check($r->code . ' ' . ((json_of($r) || {})->{level} || err_of($r)),
          '200 phrh', 'enzo\'s first passkey, a security key, with a password '
          . 'token (StepupEnrollACR pwd): 200 phrh');
}
{
    my ($r) = register_begin($H, 'enzo', token => pwd_token('enzo'));
    check(refusal($r), '401 phrh', 'enzo has a security key: register/begin '
          . 'with a password token: 401, acr phrh needed');
    my $j = json_of($r) || {};
    check(decoded($j->{confirm_url}), "$H return_to=${H}manage&acr=phrh",
          '... confirm_url: the confirm page at phrh, back to manage');
    check(err_of($r), qr/hardware security key/,
          '... the reason says a hardware security key is needed');
    check($r->header('WWW-Authenticate') || '',
          qr/^Bearer error="insufficient_user_authentication".*acr_values="phrh"/,
          '... and the RFC 9470 challenge names phrh');
    ($r) = register_begin($H, 'enzo', token => phr_token('enzo'));
    check(refusal($r), '401 phrh', '... with a passkey (phr) token: 401 too');

    # begun with the right token, finished with a weak one
    my $o;
    ($r, $o) = register_begin($H, 'enzo');
    my $f = register_finish($H, 'enzo', $phone->register($o || {}),
                            token => pwd_token('enzo'));
    check(refusal($f) . ' ' . count('enzo'), '401 phrh 1',
          'register/finish with a password token: 401, nothing stored');
}
{
    my $id = $key->credential_id_b64;
    my $r = change($H, 'delete', 'enzo', { id => $id }, pwd_token('enzo'));
    check(refusal($r) . ' ' . count('enzo'), '401 phrh 1',
          'removing the security key with a password token: 401, kept');
    $r = change($H, 'delete', 'enzo', { id => $id }, phr_token('enzo'));
    check(refusal($r) . ' ' . count('enzo'), '401 phrh 1',
          '... with a phr token: 401, kept');
    $r = change($H, 'rename', 'enzo', { id => $id, name => 'Mine' },
                pwd_token('enzo'));
    check(refusal($r) . ' ' . names('enzo'), '401 phrh Security key',
          'renaming it with a password token: 401, name kept');
    # the manage page's own form, with a password token
    $r = POST("${H}passkeys/delete", pk_basic('enzo'),
              Cookie => 'stepup=' . pwd_token('enzo'),
              'Content-Type' => 'application/x-www-form-urlencoded',
              content => 'csrf=' . csrf($H, 'enzo') . "&id=$id");
    check($r->code . ' ' . decoded($r->header('Location')),
          '303 ' . hostport_url($H) . " return_to=${H}manage&acr=phrh",
          'the manage form with a password token: 303 to confirm at phrh');
    check(count('enzo'), 1, '... nothing removed');
    $r = manage($H, 'enzo', pwd_token('enzo'));
    check($r->code . ' ' . decoded($r->header('Location')),
          '303 ' . hostport_url($H) . " return_to=${H}manage&acr=phrh",
          'GET manage with a password token: 303 to confirm at phrh');
    check($r->content =~ /Security key/ ? 'listed' : 'not listed',
          'not listed', '... the list is not shown');
}
{
    # a real step-up with the security key: everything is allowed
    my $ok = login($key, $H, 'enzo', acr => 'phrh');
    my $t = token_from($ok);
    check(defined $t ? StepupToken::parse($t)->{acr} : 'no token', 'phrh',
          'enzo confirms with the security key: a phrh token');
    my $r = manage($H, 'enzo', $t);
    check($r->code . ' ' . ($r->content =~ /Security key/ ? 'listed' : '-'),
          '200 listed', 'GET manage with it: 200, the list');
    $r = register($phone, $H, 'enzo', token => $t, name => 'Phone');
    check($r->code . ' ' . ((json_of($r) || {})->{level} || err_of($r)),
          '200 phr', 'adding a synced passkey with it: 200 phr');
    $r = change($H, 'rename', 'enzo', { id => $key->credential_id_b64,
                                        name => 'USB key' }, $t);
    check($r->code . ' ' . names('enzo'), '200 Phone,USB key',
          'renaming with it: 200');
    $r = change($H, 'delete', 'enzo', { id => $key->credential_id_b64 }, $t);
    check($r->code . ' ' . names('enzo'), '200 Phone',
          'removing the security key with it: 200');
    # now the strongest is the synced passkey: phr, still not a password
    $r = change($H, 'delete', 'enzo', { id => $phone->credential_id_b64 },
                pwd_token('enzo'));
    check(refusal($r), '401 phr', 'with only a synced passkey left, a '
          . 'password token still cannot remove it: 401, acr phr');
    $r = change($H, 'delete', 'enzo', { id => $phone->credential_id_b64 },
                token_from(login($phone, $H, 'enzo')));
    check($r->code . ' ' . count('enzo'), '200 0',
          '... a step-up with that passkey can: 200');
}

# ---- StepupEnrollACR phr: elsa at /pk/enrol-phr/ ---------------------------
{
    my ($r) = register_begin($E, 'elsa', token => pwd_token('elsa'),
                             csrf => csrf($E, 'elsa'));
    check($r->code, 403, 'elsa has a password and no passkey, StepupEnrollACR '
          . 'phr: 403 (no confirmation she can give would do)');
    check(err_of($r), qr/StepupEnrollACR phr/, '... the reason names it');
    $r = manage($E, 'elsa', pwd_token('elsa'));
    check($r->code, 403, '... GET manage: 403, not a loop through the '
          . 'confirm page');

    # her first passkey where StepupEnrollACR is pwd
    my $k = authn($B, alg => 'ES256');
    $r = register($k, $B, 'elsa', token => pwd_token('elsa'));
    check($r->code, 200, 'elsa adds a passkey at /pk/stepup/ with a password '
          . 'token: 200');
    ($r) = register_begin($E, 'elsa', token => pwd_token('elsa'),
                          csrf => csrf($E, 'elsa'));
    check(refusal($r), '401 phr', 'at /pk/enrol-phr/ a password token is '
          . 'below StepupEnrollACR: 401, acr phr');
    $r = manage($E, 'elsa', pwd_token('elsa'));
    check($r->code . ' ' . decoded($r->header('Location')),
          '303 ' . hostport_url($E) . " return_to=${E}manage&acr=phr",
          '... GET manage: 303 to confirm at phr');
    $r = post_json($E, 'passkeys/delete', 'elsa', { id => $k->credential_id_b64 },
                   token => pwd_token('elsa'), csrf => csrf($E, 'elsa'));
    check(refusal($r) . ' ' . count('elsa'), '401 phr 1',
          '... removing with a password token: 401, kept');
    my $t = token_from(login($k, $E, 'elsa', csrf => csrf($E, 'elsa')));
    check(defined $t ? StepupToken::parse($t)->{acr} : 'no token', 'phr',
          'elsa confirms with her passkey: phr');
    my $o;
    ($r, $o) = register_begin($E, 'elsa', token => $t, csrf => csrf($E, 'elsa'));
    check($r->code, 200, 'register/begin with the phr token: 200');
    $r = manage($E, 'elsa', $t);
    check($r->code, 200, 'GET manage with it: 200');
    $r = post_json($E, 'passkeys/delete', 'elsa', { id => $k->credential_id_b64 },
                   token => $t, csrf => csrf($E, 'elsa'));
    check($r->code . ' ' . count('elsa'), '200 0', 'removing with it: 200');
}

# ---- the federated bootstrap: fay (no password, no passkey) ----------------
{
    my $st = status($B, 'fay');
    check(join(' ', $st->{has_password} ? 'password' : 'no password',
               $st->{passkeys}), 'no password 0',
          'fay: status has_password false, passkeys 0');
    my ($r) = register_begin($B, 'fay', token => undef);
    check($r->code, 403, 'fay without a token where StepupMethods has no '
          . 'bootstrap: 403');
    check(err_of($r), qr/bootstrap/, '... the reason names the bootstrap');
    my $k = authn($B);
    my ($r2, $o2) = register_begin($BOOT, 'fay', token => undef,
                                   csrf => csrf($BOOT, 'fay'));
    check($r2->code, 200, 'fay without a token at /pk/boot/ (bootstrap): '
          . 'begin 200');
    # a begin of the bootstrap is not finished where it is off
    my $f = register_finish($B, 'fay', $k->register($o2 || {}), token => undef);
    check($f->code . ' ' . count('fay'), '403 0',
          '... finished at /pk/stepup/ (no bootstrap): 403, nothing stored');
    ($r2, $o2) = register_begin($BOOT, 'fay', token => undef,
                                csrf => csrf($BOOT, 'fay'));
    my $off = log_offset();
    $f = register_finish($BOOT, 'fay', $k->register($o2 || {}), token => undef,
                         csrf => csrf($BOOT, 'fay'));
    check($f->code . ' ' . count('fay'), '200 1',
          '... finished at /pk/boot/: 200, fay has a passkey');
    check(log_since($off), qr/STEPUP0142: user fay from \S+: .*bootstrap/,
          '... the bootstrap is logged');
    ($r) = register_begin($BOOT, 'fay', token => undef,
                          csrf => csrf($BOOT, 'fay'));
    check(refusal($r), '401 phr', 'once fay has a passkey, no more bootstrap: '
          . '401, confirm with it (phr)');
    # a user with a password never gets it, even where it is on
    ($r) = register_begin($BOOT, 'edda', token => undef,
                          csrf => csrf($BOOT, 'edda'));
    check($r->code . ' ' . count('edda'), '401 0',
          'edda (a password, no passkey) without a token at /pk/boot/: 401');
    check(manage($BOOT, 'edda')->code, 303,
          '... GET manage sends her to confirm');
}

# ---- where the directives may be written -----------------------------------
{
    my ($st, @err) = configtest("StepupEnrollACR high\n");
    check($st . ' ' . join(' ', @err), qr/^[1-9]\d* .*StepupEnrollACR.*pwd, phr or phrh/,
          'StepupEnrollACR high: httpd refuses to start, naming the values');
    ($st, @err) = configtest("<Location /x/>\nStepupEnrollACR phrh\n"
                             . "StepupHasPassword \"%{REMOTE_USER} != 'x'\"\n"
                             . "StepupMethods passkey bootstrap\n</Location>\n");
    check($st, 0, 'StepupEnrollACR phrh, StepupHasPassword, StepupMethods '
          . 'bootstrap in <Location>: accepted');
    ($st, @err) = configtest("StepupHasPassword \"%{REMOTE_USER} =~ \"\n");
    check($st . ' ' . join(' ', @err), qr/^[1-9]\d* .*StepupHasPassword/,
          'StepupHasPassword with a broken expression: refused at start-up');
    ($st, @err) = configtest("<Location /x/>\nStepupMethods password sms\n"
                             . "</Location>\n");
    check($st . ' ' . join(' ', @err), qr/^[1-9]\d* .*bootstrap/,
          'StepupMethods with an unknown method: refused, listing bootstrap');
}
{
    # .htaccess (AllowOverride AuthConfig, t/conf/passkey.conf.in): none of
    # these decides who may change passkeys there
    my $docroot = Apache::Test::vars('documentroot');
    for my $case ([ 'enrol-acr', "StepupEnrollACR pwd\n", 'StepupEnrollACR' ],
                  [ 'has-password', "StepupHasPassword true\n", 'StepupHasPassword' ],
                  [ 'bootstrap', "StepupMethods password passkey bootstrap\n",
                    'StepupMethods' ]) {
        my ($dir, $line, $name) = @$case;
        t_write_file(catfile($docroot, 'pk', 'htaccess', $dir, '.htaccess'), $line);
        t_write_file(catfile($docroot, 'pk', 'htaccess', $dir, 'index.html'), "x\n");
        my $off = log_offset();
        my $r = GET("/pk/htaccess/$dir/index.html", pk_basic('edda'));
        check($r->code . ' ' . (log_since($off) =~ /\Q$name\E.*(not allowed|htaccess)/
                                ? 'refused' : 'no reason'),
              '500 refused', "$name in .htaccess: 500, the log says why");
    }
    # the same .htaccess without the word bootstrap is fine
    t_write_file(catfile($docroot, 'pk', 'htaccess', 'methods', '.htaccess'),
                 "StepupMethods password passkey\n");
    t_write_file(catfile($docroot, 'pk', 'htaccess', 'methods', 'index.html'),
                 "x\n");
    check(GET('/pk/htaccess/methods/index.html', pk_basic('edda'))->code, 200,
          'StepupMethods password passkey in .htaccess: allowed');
}

done_testing();
