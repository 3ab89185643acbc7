# SPDX-License-Identifier: Apache-2.0
# StepupCookieSecure Auto (the default) over real TLS: one httpd with a
# plain listener and a mod_ssl one (a certificate made here for
# 127.0.0.1). The step-up cookie carries Secure when the confirmation came
# over https, and not over http; StepupCookieSecure Off and On hold on
# either. Run by scripts/farm-test.sh.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib", "$FindBin::Bin/../lib";
use File::Spec::Functions qw(catfile);
use File::Temp qw(tempdir);
use Test::More;

my ($CERT, $KEY);
BEGIN {
    # before Farm makes its user agent: it trusts this certificate
    my $dir = tempdir(CLEANUP => 1);
    $CERT = catfile($dir, 'cert.pem');
    $KEY = catfile($dir, 'key.pem');
    my @req = qw(openssl req -x509 -newkey ec
                 -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1
                 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1);
    my $out = `@req -keyout '$KEY' -out '$CERT' 2>&1`;
    die "openssl req failed: $out" if $?;
    $ENV{PERL_LWP_SSL_CA_FILE} = $CERT;
}
use Farm ();
use StepupClient qw(password);
use StepupTest ();

my $u = 'tls';
my $tls = StepupTest::free_port();
my $farm = Farm::new_farm(cache => 'shmcb', servers => 1,
                          users => { $u => 'tls-pw-19' }, conf => <<EOC);
LoadModule ssl_module $Farm::MODDIR/mod_ssl.so
Listen 127.0.0.1:$tls https
<VirtualHost 127.0.0.1:$tls>
    ServerName 127.0.0.1
    SSLEngine on
    SSLCertificateFile "$CERT"
    SSLCertificateKeyFile "$KEY"
</VirtualHost>
<Location /stepup-off/>
    SetHandler stepup
    StepupConfirmURL /stepup-off/
    StepupCookieSecure Off
</Location>
<Location /stepup-on/>
    SetHandler stepup
    StepupConfirmURL /stepup-on/
    StepupCookieSecure On
</Location>
EOC
my $http = $farm->{servers}[0];
my $https = { %$http, url => "https://127.0.0.1:$tls" };

sub cookie_of {
    my ($res) = @_;
    my ($c) = grep { /^stepup=/ } $res->header('Set-Cookie');
    return $c // '';
}

sub confirm { password($_[0], $u, undef, handler => $_[1]) }

my $res = confirm($https, '/stepup');
is($res->code, 200, 'password over https: 200');
my $c = cookie_of($res);
like($c, qr/^stepup=v1\./, '... sets the step-up cookie');
like($c, qr/; Secure(;|$)/, '... with Secure (Auto over https)');
my ($tok) = $c =~ /^stepup=([^;]+)/;
is(Farm::protected($https, $u, $tok)->code, 200,
   'its token opens /account/ over https');

$res = confirm($http, '/stepup');
is($res->code, 200, 'password over http: 200');
$c = cookie_of($res);
like($c, qr/^stepup=v1\./, '... sets the step-up cookie');
unlike($c, qr/Secure/, '... without Secure (Auto over http)');

$c = cookie_of(confirm($http, '/stepup-on'));
like($c, qr/^stepup=v1\..*; Secure(;|$)/,
     'StepupCookieSecure On over http: the cookie, with Secure');
$c = cookie_of(confirm($https, '/stepup-off'));
like($c, qr/^stepup=v1\./, 'StepupCookieSecure Off over https: the cookie');
unlike($c, qr/Secure/, '... without Secure');

done_testing();
