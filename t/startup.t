# SPDX-License-Identifier: Apache-2.0
# httpd refuses to start on a bad mod_stepup configuration, with one line on
# stderr that names the directive and the reason. Each case runs "httpd -t
# -f <small conf>" itself, as the (unprivileged) test user, with a
# configuration of its own that loads the built module.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore plan done_testing need_module);
use File::Temp qw(tempdir);
use StepupTest qw(check);
use StepupToken ();

plan need_module('stepup', 'auth_basic', 'authz_core');

my $dir = tempdir('startup-XXXXXX', DIR => $FindBin::Bin, CLEANUP => 1);

sub random_b64 {
    my ($n) = @_;
    open my $fh, '<:raw', '/dev/urandom' or die "/dev/urandom: $!";
    my $buf;
    read $fh, $buf, $n;
    close $fh;
    return StepupToken::b64url($buf);
}

sub write_file {
    my ($name, $text, $mode) = @_;
    my $path = "$dir/$name";
    open my $fh, '>', $path or die "$path: $!";
    print $fh $text;
    close $fh;
    chmod $mode, $path or die "chmod $path: $!";
    return $path;
}

my $good_keys = write_file('good.keys',
    "# good\nk1 " . random_b64(32) . "\nk2 " . random_b64(40) . "\n", 0600);

# httpd -t on the common modules and $body: (exit status, stderr lines).
sub configtest { StepupTest::configtest(@_) }

# Httpd refuses to start, and exactly one stderr line names the
# directive and the reason.
sub refused {
    my ($name, $body, $line_re) = @_;
    my ($status, @err) = configtest($body);
    check($status >= 128 ? 'killed by signal ' . ($status - 128)
          : $status != 0 ? 'refused' : 'exit 0', 'refused',
          "$name: httpd -t fails (an exit status, not a crash)");
    my @hits = grep { /$line_re/ } @err;
    check(scalar(@hits), 1,
          "$name: one stderr line names the directive and the reason"
          . " (stderr: " . join(' / ', @err) . ")");
}

my $need = "<Location /x>\n  AuthType Basic\n  AuthName x\n"
         . "  Require stepup\n</Location>\n";

# ---- a good configuration --------------------------------------------------
{
    my ($status, @err) = configtest(<<EOC);
StepupKeyFile "$good_keys"
StepupLifetime 900
<Location /x>
    AuthType Basic
    AuthName x
    StepupMaxAge 120
    StepupConfirmURL /confirm/
    StepupCookieName sudo_mode
    StepupCookieSecure Auto
    StepupBindCookie sess
    StepupTokenHeader X-Stepup-Token
    StepupResume Off
    StepupResumeLimit 1048576
    StepupShowFields amount to
    Require stepup max-age=60 acr=phrh
</Location>
EOC
    check($status, 0, 'good configuration: httpd -t exits 0');
    check(join("\n", @err), qr/^Syntax OK$/m,
          'good configuration: "Syntax OK"');
}

# ---- the key file ----------------------------------------------------------
refused('key file missing', "StepupKeyFile \"$dir/nope.keys\"\n$need",
        qr/StepupKeyFile \S*nope\.keys: No such file/);
{
    my $f = write_file('open.keys', "k1 " . random_b64(32) . "\n", 0644);
    refused('key file mode 0644', "StepupKeyFile \"$f\"\n$need",
            qr/StepupKeyFile \S*open\.keys: .*group or others/);
    $f = write_file('group.keys', "k1 " . random_b64(32) . "\n", 0640);
    refused('key file mode 0640', "StepupKeyFile \"$f\"\n$need",
            qr/StepupKeyFile \S*group\.keys: .*group or others/);
}
refused('key file empty',
        "StepupKeyFile \"" . write_file('empty.keys', '', 0600) . "\"\n$need",
        qr/StepupKeyFile \S*empty\.keys: .*empty/);
refused('key file of comments only',
        "StepupKeyFile \"" . write_file('comments.keys', "# none\n\n", 0600)
        . "\"\n$need",
        qr/StepupKeyFile \S*comments\.keys: .*no keys/);
refused('key file line without a secret',
        "StepupKeyFile \"" . write_file('nosecret.keys',
            "k1 " . random_b64(32) . "\nk2\n", 0600) . "\"\n$need",
        qr/StepupKeyFile \S*nosecret\.keys: line 2: /);
refused('key file secret not base64url',
        "StepupKeyFile \"" . write_file('notb64.keys',
            "k1 " . ('a+/=' x 12) . "\n", 0600) . "\"\n$need",
        qr/StepupKeyFile \S*notb64\.keys: line 1: .*base64url/);
refused('key file secret of 31 bytes',
        "StepupKeyFile \"" . write_file('short.keys',
            "k1 " . random_b64(31) . "\n", 0600) . "\"\n$need",
        qr/StepupKeyFile \S*short\.keys: line 1: .*31 bytes.*32/);
refused('key file duplicate KID',
        "StepupKeyFile \"" . write_file('dup.keys',
            "k1 " . random_b64(32) . "\nk1 " . random_b64(32) . "\n", 0600)
        . "\"\n$need",
        qr/StepupKeyFile \S*dup\.keys: line 2: duplicate key id "k1"/);
refused('key file KID with a bad character',
        "StepupKeyFile \"" . write_file('kid.keys',
            "k\$1 " . random_b64(32) . "\n", 0600) . "\"\n$need",
        qr/StepupKeyFile \S*kid\.keys: line 1: key id/);

# ---- Require stepup --------------------------------------------------------
refused('Require stepup without StepupKeyFile', $need,
        qr/"Require stepup".*StepupKeyFile/);
for my $c (
    [ 'max-age=abc', qr/Require stepup max-age: "abc"/ ],
    [ 'acr=xyz',     qr/Require stepup: unknown level "xyz"/ ],
    [ 'foo=1',       qr/Require stepup: unknown argument "foo=1"/ ],
    [ 'max-age=86401', qr/Require stepup max-age: "86401"/ ],
    [ 'max-age=-1',  qr/Require stepup max-age: "-1"/ ],
    [ 'max-age=60 max-age=30', qr/Require stepup: "max-age=30" is given twice/ ],
) {
    my ($args, $re) = @$c;
    refused("Require stepup $args",
            "StepupKeyFile \"$good_keys\"\n<Location /x>\n  AuthType Basic\n"
            . "  AuthName x\n  Require stepup $args\n</Location>\n", $re);
}

# ---- other directives ------------------------------------------------------
for my $c (
    [ 'StepupMaxAge -5',           qr/StepupMaxAge: "-5"/ ],
    [ 'StepupConfirmURL //evil',   qr{StepupConfirmURL: "//evil"} ],
    [ 'StepupCookieSecure maybe',  qr/StepupCookieSecure: "maybe" must be On, Off or Auto/ ],
    [ 'StepupResumeLimit 0',        qr/StepupResumeLimit: "0" is not a number of bytes from 1 to 16777216/ ],
    [ 'StepupResumeLimit 16777217', qr/StepupResumeLimit: "16777217" is not a number/ ],
    [ 'StepupResumeLimit 10k',      qr/StepupResumeLimit: "10k" is not a number/ ],
    [ 'StepupResume maybe',         qr/StepupResume must be On or Off/ ],
) {
    my ($line, $re) = @$c;
    refused($line, "StepupKeyFile \"$good_keys\"\n<Location /x>\n"
            . "  AuthType Basic\n  AuthName x\n  $line\n"
            . "  Require stepup\n</Location>\n", $re);
}
refused('StepupLifetime 0', "StepupKeyFile \"$good_keys\"\n"
        . "StepupLifetime 0\n$need", qr/StepupLifetime: "0"/);

# ---- where the directives may be -------------------------------------------
{
    my $vhost_need = "  <Location /x>\n    AuthType Basic\n    AuthName x\n"
                   . "    Require stepup\n  </Location>\n";
    my ($status, @err) = configtest(<<EOC);
StepupKeyFile "$good_keys"
<VirtualHost 127.0.0.1:9>
  ServerName inherits.test
$vhost_need</VirtualHost>
EOC
    check($status >= 128 ? 'killed by signal ' . ($status - 128)
          : "exit $status", 'exit 0',
          'Require stepup in a virtual host, StepupKeyFile in the main '
          . 'server: httpd -t exits 0');
    check(join("\n", @err), qr/^Syntax OK$/m,
          'Require stepup in a virtual host, StepupKeyFile in the main '
          . 'server: "Syntax OK"');

    refused('Require stepup in a virtual host without a key file',
            "<VirtualHost 127.0.0.1:9>\n  ServerName keyed.test\n"
            . "  StepupKeyFile \"$good_keys\"\n</VirtualHost>\n"
            . "<VirtualHost 127.0.0.1:9>\n  ServerName bare.test\n"
            . "$vhost_need</VirtualHost>\n",
            qr/"Require stepup" is used in bare\.test.*StepupKeyFile/);
}
refused('StepupKeyFile inside <Location>',
        "<Location /x>\n  StepupKeyFile \"$good_keys\"\n</Location>\n",
        qr/StepupKeyFile .*not allowed/);

done_testing();
