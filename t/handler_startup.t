# SPDX-License-Identifier: Apache-2.0
# The handler's directives refuse a bad configuration at start-up, with one
# line that names the directive and the reason: StepupTemplate (an unknown
# or unclosed placeholder, a missing file), StepupAuthnProvider (an unknown
# provider, an alias defined below its use), StepupMaxAttempts,
# StepupMethods, StepupCache. Each case runs "httpd -t" on a small
# configuration of its own (StepupTest::configtest).
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore plan done_testing need_module);
use StepupTest qw(check keyfile);
use StepupHandler ();

plan need_module('stepup', 'auth_basic', 'authn_file',
                 'authn_core', 'authz_core', 'authz_user',
                 'socache_shmcb');

my @MODS = qw(mpm_event authn_core authz_core authz_user auth_basic
              authn_file socache_shmcb);
my $KEYS = keyfile();

sub tpl { return StepupTest::work_file(@_) }

# A handler location with the given extra directives.
sub handler_conf {
    my (@lines) = @_;
    my $file = "  AuthUserFile \"$KEYS.none\"\n";
    $file = '' if @lines && $lines[0] eq '-no-authn-file';
    shift @lines unless $file;
    return "StepupKeyFile \"$KEYS\"\n<Location /stepup/>\n  AuthType Basic\n"
         . "  AuthName x\n$file"
         . join('', map { "  $_\n" } @lines)
         . "  Require valid-user\n  SetHandler stepup\n</Location>\n";
}

# Refused, one stderr line matching $re.
sub refused {
    my ($name, $body, $re, $mods) = @_;
    my ($status, @err) = StepupTest::configtest($body, @{ $mods || \@MODS });
    check($status >= 128 ? 'killed by signal ' . ($status - 128)
          : $status != 0 ? 'refused' : 'exit 0', 'refused',
          "$name: httpd -t fails (an exit status, not a crash)");
    my @hits = grep { /$re/ } @err;
    check(scalar(@hits), 1, "$name: one stderr line names the directive and "
          . "the reason (stderr: " . join(' / ', @err) . ")");
}

# Accepted.
sub accepted {
    my ($name, $body, $mods) = @_;
    my ($status, @err) = StepupTest::configtest($body, @{ $mods || \@MODS });
    check($status, 0, "$name: httpd -t exits 0");
    check(join("\n", @err), qr/^Syntax OK$/m, "$name: \"Syntax OK\"");
}

my $good = tpl('good.html', "<title>{{title}}</title>\n{{user}} {{error}} "
               . "{{methods}} {{base}} {{return_to}} {{csrf}}\n{ } }}\n");

# ---- good configurations ---------------------------------------------------
accepted('StepupTemplate with every placeholder',
         handler_conf("StepupTemplate \"$good\""));
accepted('StepupAuthnProvider file (the default, named)',
         handler_conf('StepupAuthnProvider file'));
accepted('StepupAuthnProvider with an AuthnProviderAlias defined above',
         "<AuthnProviderAlias file pwfile>\n  AuthUserFile \"$KEYS.none\"\n"
         . "</AuthnProviderAlias>\n"
         . handler_conf('StepupAuthnProvider pwfile file'));
accepted('StepupMaxAttempts, StepupMethods, StepupCache shmcb',
         "StepupCache shmcb\n" . handler_conf('StepupMaxAttempts 1 86400',
                                              'StepupMethods password'));

# ---- StepupTemplate --------------------------------------------------------
{
    my $unknown = tpl('unknown.html', "<html>\n<body>\n<p>{{nope}}</p>\n");
    refused('StepupTemplate with an unknown placeholder',
            handler_conf("StepupTemplate \"$unknown\""),
            qr/^.*StepupTemplate \S*unknown\.html: line 3: unknown placeholder \{\{nope\}\}$/);
    my $spaced = tpl('spaced.html', "{{ user }}\n");
    refused('StepupTemplate with spaces inside the braces',
            handler_conf("StepupTemplate \"$spaced\""),
            qr/StepupTemplate \S*spaced\.html: line 1: unknown placeholder \{\{ user \}\}$/);
    my $case = tpl('case.html', "\n\n\n\n{{USER}}\n");
    refused('StepupTemplate with a placeholder in capitals',
            handler_conf("StepupTemplate \"$case\""),
            qr/StepupTemplate \S*case\.html: line 5: unknown placeholder \{\{USER\}\}$/);
    my $unclosed = tpl('unclosed.html', "<p>\n<b>{{user</b>\n</p>\n");
    refused('StepupTemplate with an unclosed placeholder',
            handler_conf("StepupTemplate \"$unclosed\""),
            qr/StepupTemplate \S*unclosed\.html: line 2: "\{\{" is never closed$/);
    my $late = tpl('late.html', "{{title}}\n{{csrf}}\n{{methods\n");
    refused('StepupTemplate unclosed at the end',
            handler_conf("StepupTemplate \"$late\""),
            qr/StepupTemplate \S*late\.html: line 3: "\{\{" is never closed$/);
    # an unclosed "{{" before another placeholder's "}}": the reason must
    # still be one line, on the line of the "{{"
    my $then = tpl('then.html', "<p>\n<b>{{user</b>\n<i>{{title}}</i>\n</p>\n");
    my ($status, @err) = StepupTest::configtest(
        handler_conf("StepupTemplate \"$then\""), @MODS);
    check($status, 1, 'StepupTemplate unclosed before another placeholder: '
          . 'httpd -t fails');
    check(join(' / ', @err),
          qr{^AH00526: Syntax error on line \d+ of \S+: / StepupTemplate \S*then\.html: line 2: (?:(?! / ).)+$},
          'StepupTemplate unclosed before another placeholder: the syntax '
          . 'error and one line naming line 2');
    refused('StepupTemplate missing',
            handler_conf("StepupTemplate \"$good.missing\""),
            qr/StepupTemplate \S*good\.html\.missing: .*No such file/);
    refused('StepupTemplate a directory',
            handler_conf('StepupTemplate "' . StepupTest::workdir() . '"'),
            qr/StepupTemplate \S+: not a regular file$/);
}

# ---- StepupAuthnProvider ---------------------------------------------------
refused('StepupAuthnProvider unknown',
        handler_conf('StepupAuthnProvider nosuchprovider'),
        qr/StepupAuthnProvider: unknown authn provider "nosuchprovider"/);
refused('StepupAuthnProvider file without mod_authn_file',
        handler_conf('-no-authn-file', 'StepupAuthnProvider file'),
        qr/StepupAuthnProvider: unknown authn provider "file"/,
        [ grep { $_ ne 'authn_file' } @MODS ]);
refused('StepupAuthnProvider naming an alias defined below it',
        handler_conf('StepupAuthnProvider laterfile')
        . "<AuthnProviderAlias file laterfile>\n  AuthUserFile \"$KEYS.none\"\n"
        . "</AuthnProviderAlias>\n",
        qr/StepupAuthnProvider: unknown authn provider "laterfile"/);

# ---- StepupMaxAttempts, StepupMethods, StepupCache, StepupConfirmURL
refused('StepupMaxAttempts 0 60', handler_conf('StepupMaxAttempts 0 60'),
        qr/StepupMaxAttempts: "0" must be a number of attempts from 1 to 1000/);
refused('StepupMaxAttempts 5 0', handler_conf('StepupMaxAttempts 5 0'),
        qr/StepupMaxAttempts: "0" must be a whole number of seconds from 1 to 86400/);
refused('StepupMethods sms', handler_conf('StepupMethods password sms'),
        qr/StepupMethods: unknown method "sms"/);
refused('StepupCache of an unknown type', "StepupCache nosuchcache\n"
        . handler_conf(),
        qr/StepupCache: unknown cache type "nosuchcache" \(load mod_socache_nosuchcache; loaded: .*shmcb/);
refused('StepupConfirmURL with a query', handler_conf('StepupConfirmURL /s/?x=1'),
        qr{StepupConfirmURL: "/s/\?x=1" must be a plain path});

done_testing();
