package StepupHandler;

# SPDX-License-Identifier: Apache-2.0
# Helpers of the Confirm access handler tests (t/handler_*.t), on top of
# StepupTest.pm:
# - write_fixtures(): the handler's own user files and page template,
#   written by t/TEST.PL beside StepupTest's (t/conf/handler.conf.in uses
#   them);
# - the handler's users and their passwords (%USERS, %ALIAS_PASSWORDS);
# - a Perl implementation of the CSRF token (include/stepup_csrf.h), form
#   posts, the page's fields, the Set-Cookie line, the security headers;
# - mini_server() (a private httpd -X with its own modules, for what the
#   suite's server cannot show: no socache_shmcb, an unreachable
#   StepupCache).

use strict;
use warnings;

use Digest::SHA qw(hmac_sha256);
use File::Spec::Functions qw(catfile);
use IO::Socket::INET ();
use POSIX ();
use Time::HiRes ();
use Exporter 'import';

use StepupClient ();
use StepupTest ();
use StepupToken ();

our @EXPORT_OK = qw(%USERS %ALIAS_PASSWORDS csrf_mint post_form
                    page_field page_csrf html_unescape set_cookies
                    cookie_parts security_checks CSP mini_server);

# ---- the handler's users ---------------------------------------------------
# Basic users of t/conf/stepup/handler.htpasswd (the primary authentication
# of the /handler-* locations, and the "file" provider's there):
#   carol  page, template, alias tests      dave  throttled (3 per 60 s)
#   erin   throttle: another user           fred  federated at /handler-alias/
#   gina   throttle: a 3 s window           hank  throttle: a success resets
#   ivan   bind, Secure, cookie name        x<b>&"'y  escaping of the user
#   nora, noel  has a password? (handler_has_password.t)
our %USERS = (
    'carol'     => 'carol-pw-Hq27',
    'dave'      => 'dave-pw-8Lmc',
    'erin'      => 'erin-pw-Vb41',
    'fred'      => 'fred-pw-Zt90',
    'gina'      => 'gina-pw-Nw35',
    'hank'      => 'hank-pw-Qe62',
    'ivan'      => 'ivan-pw-Rx18',
    q{x<b>&"'y} => 'xss-pw-Ub77',
    'nora'      => 'nora-pw-Jd53',
    'noel'      => 'noel-pw-Gx29',
);

# t/conf/stepup/handler-alias.htpasswd, read through AuthnProviderAlias
# "stepup_alias" at /handler-alias/: carol has another password there, fred
# is unknown there (a federated user: signed in elsewhere, no password).
our %ALIAS_PASSWORDS = (
    'carol' => 'carol-alias-pw-T5m9',
);

# The custom page of /handler-template/ (StepupTemplate): every
# placeholder, some twice, and braces that are not placeholders.
my $TEMPLATE = <<'EOT';
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{title}} | Example Corp</title>
<link rel="stylesheet" href="{{base}}stepup.css">
<script src="{{base}}stepup.js" defer></script>
</head>
<body class="corp">
<h1 id="corp-title">{{title}}</h1>
<p id="corp-user">[{{user}}]</p>
<div id="corp-error">{{error}}</div>
<div id="corp-methods">{{methods}}</div>
<p id="corp-return">[{{return_to}}]</p>
<p id="corp-csrf">[{{csrf}}]</p>
<p id="corp-braces">{ single } {not a placeholder} }} end</p>
</body>
</html>
EOT

# Writes into $tdir/conf/stepup/ (made by StepupTest::write_fixtures):
# handler.htpasswd, handler-alias.htpasswd, handler-template.html. Existing
# files are kept (a server still running from an earlier -start).
sub write_fixtures {
    my ($tdir) = @_;
    my $dir = StepupTest::write_fixtures($tdir);
    my %files = (
        'handler.htpasswd' => join('', map { StepupTest::htpasswd_line($_, $USERS{$_}) }
                                       sort keys %USERS),
        'handler-alias.htpasswd' =>
            join('', map { StepupTest::htpasswd_line($_, $ALIAS_PASSWORDS{$_}) }
                     sort keys %ALIAS_PASSWORDS),
        'handler-template.html' => $TEMPLATE,
    );
    for my $name (sort keys %files) {
        my $path = catfile($dir, $name);
        StepupTest::write_private($path, $files{$name}) unless -e $path;
    }
    return $dir;
}

# ---- CSRF tokens (include/stepup_csrf.h), from the specification ------------
# "<kid>.<issued>.<mac>", mac = b64url(HMAC-SHA256(key, "csrf|<issued>|<user>"))
sub csrf_mint {
    my (%a) = @_;
    my $kid    = exists $a{kid} ? $a{kid} : 'k1';
    my $issued = exists $a{issued} ? $a{issued} : time;
    my $user   = $a{user};
    my $secret = exists $a{secret} ? $a{secret} : StepupTest::secret($kid);
    return "$kid.$issued."
         . StepupToken::b64url(hmac_sha256("csrf|$issued|$user", $secret));
}

# ---- forms and pages -------------------------------------------------------

# POST $path with a form body ([name, value, ...] or a raw string) and the
# given headers.
sub post_form {
    my ($path, $fields, @headers) = @_;
    require Apache::TestRequest;
    my $body = ref $fields ? StepupClient::form_body(@$fields) : $fields;
    return Apache::TestRequest::POST($path,
        'Content-Type' => 'application/x-www-form-urlencoded',
        @headers, content => $body);
}

sub html_unescape {
    my ($s) = @_;
    return undef unless defined $s;
    my %named = (lt => '<', gt => '>', amp => '&', quot => '"',
                 apos => "'");
    $s =~ s/&(#x[0-9A-Fa-f]+|#[0-9]+|lt|gt|amp|quot|apos);/
        my $e = $1;
        $e =~ m{^#x}i ? chr(hex substr $e, 2)
        : $e =~ m{^#} ? chr(substr $e, 1) : $named{$e}/ge;
    return $s;
}

# The raw (still escaped) value attribute of the hidden input $name of the
# password form, or undef.
sub page_field {
    my ($html, $name) = @_;
    return $1 if $html =~ /<input type="hidden" name="\Q$name\E" value="([^"]*)">/;
    return undef;
}

# The CSRF token of a page (the password form's field, else a button's).
sub page_csrf {
    my ($html) = @_;
    my $v = page_field($html, 'csrf');
    $v = $1 if !defined $v && $html =~ /data-csrf="([^"]*)"/;
    return html_unescape($v);
}

# ---- responses -------------------------------------------------------------

sub set_cookies {
    my ($res) = @_;
    my @v = $res->header('Set-Cookie');
    return @v;
}

# (name, value, {attribute => value or 1}) of one Set-Cookie line.
sub cookie_parts {
    my ($line) = @_;
    my ($pair, @attrs) = split /;\s*/, $line;
    my ($name, $value) = split /=/, $pair, 2;
    my %a;
    for (@attrs) {
        my ($k, $v) = split /=/, $_, 2;
        $a{$k} = defined $v ? $v : 1;
    }
    return ($name, $value, \%a);
}

use constant CSP =>
    "default-src 'none'; script-src 'self'; style-src 'self'; "
  . "img-src 'self'; connect-src 'self'; form-action 'self'; "
  . "frame-ancestors 'none'; base-uri 'none'";

# The headers every answer of the handler carries.
sub security_checks {
    my ($res, $name, %o) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $cc = join ', ', $res->header('Cache-Control');
    if ($o{asset}) {
        StepupTest::check($cc, qr/^(?!.*\bpublic\b).*\S/,
            "$name: Cache-Control set and not public ($cc)");
    }
    else {
        StepupTest::check($cc, 'no-store', "$name: Cache-Control: no-store");
    }
    my $csp = join ' | ', $res->header('Content-Security-Policy');
    StepupTest::check($csp, CSP,
        "$name: the strict Content-Security-Policy (no inline script, "
        . "frame-ancestors 'none')");
    StepupTest::check(join(' | ', $res->header('X-Frame-Options')), 'DENY',
        "$name: X-Frame-Options: DENY");
    StepupTest::check(join(' | ', $res->header('Referrer-Policy')),
        'same-origin', "$name: Referrer-Policy: same-origin");
    StepupTest::check(join(' | ', $res->header('X-Content-Type-Options')),
        'nosniff', "$name: X-Content-Type-Options: nosniff");
    StepupTest::check($csp, qr/^(?!.*unsafe-inline)(?!.*unsafe-eval)/,
        "$name: the CSP allows no unsafe-inline nor unsafe-eval");
}

# ---- a private httpd -X ---------------------------------------------------

# A private httpd -X (one process: what one request leaves in the process is
# seen by the next) on a free port of 127.0.0.1, with the modules
# @$modules and $body. Returns an object with url(PATH), error_log(),
# stop(); undef (and a reason in $@) when it does not start. With
# $how->{foreground}, a whole httpd (parent and children, -DFOREGROUND)
# instead of one process.
my $seq = 0;
sub mini_server {
    my ($modules, $body, $how) = @_;
    my @mode = $how && $how->{foreground} ? ('-DFOREGROUND') : ('-X');
    my (undef, undef, $httpd) = StepupTest::module_paths();
    my $dir = StepupTest::workdir();
    my $n = ++$seq;
    my $port = StepupTest::free_port();
    my $log = "$dir/s$n.error_log";
    my $conf = StepupTest::work_file("s$n.conf", <<EOC);
ServerRoot "$dir"
ServerName 127.0.0.1:$port
Listen 127.0.0.1:$port
PidFile "$dir/s$n.pid"
ErrorLog "$log"
DefaultRuntimeDir "$dir"
DocumentRoot "$dir"
Mutex file:$dir default
LogLevel info stepup:debug
@{[ StepupTest::load_lines(@$modules) ]}
$body
EOC
    my $pid = fork;
    die "fork: $!" unless defined $pid;
    if (!$pid) {
        open STDIN, '<', '/dev/null';
        open STDOUT, '>', "$dir/s$n.stdout" or POSIX::_exit(126);
        open STDERR, '>', "$dir/s$n.stderr" or POSIX::_exit(126);
        exec $httpd, @mode, '-f', $conf or POSIX::_exit(127);
    }
    my $self = bless { pid => $pid, port => $port, log => $log,
                       dir => $dir, n => $n }, 'StepupHandler::Server';
    for (1 .. 100) {
        my $c = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port",
                                      Timeout => 1);
        if ($c) { close $c; return $self; }
        if (waitpid($pid, POSIX::WNOHANG()) == $pid) {
            $@ = "httpd -X exited: " . $self->stderr;
            return undef;
        }
        Time::HiRes::sleep(0.1);
    }
    $self->stop;
    $@ = "httpd -X did not listen on $port";
    return undef;
}

package StepupHandler::Server;

sub url { my ($self, $path) = @_; return "http://127.0.0.1:$self->{port}$path" }

sub error_log { my ($self) = @_; return StepupTest::slurp($self->{log}) }
sub stderr {
    my ($self) = @_;
    return StepupTest::slurp("$self->{dir}/s$self->{n}.stderr");
}

# Stops the server; returns its wait status ($?: 0 for a clean exit, the
# signal in the low bits when it crashed), undef when it had to be killed.
sub stop {
    my ($self) = @_;
    return $self->{status} unless $self->{pid};
    kill 'TERM', $self->{pid};
    for (1 .. 100) {
        if (waitpid($self->{pid}, POSIX::WNOHANG()) == $self->{pid}) {
            $self->{status} = $?;
            delete $self->{pid};
            return $self->{status};
        }
        Time::HiRes::sleep(0.1);
    }
    kill 'KILL', $self->{pid};
    waitpid $self->{pid}, 0;
    delete $self->{pid};
    return undef;
}

# Sends the server a graceful restart and waits until it answers again.
sub graceful {
    my ($self) = @_;
    kill 'USR1', $self->{pid};
    Time::HiRes::sleep(0.5);
    for (1 .. 100) {
        my $c = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$self->{port}",
                                      Timeout => 1);
        if ($c) { close $c; return 1; }
        Time::HiRes::sleep(0.1);
    }
    return 0;
}

sub DESTROY { $_[0]->stop }

1;
