package StepupClient;

# SPDX-License-Identifier: Apache-2.0
# The HTTP client of the module's endpoints, shared by the Apache::Test
# suite (t/*.t, through PasskeyTest.pm) and the farm (t/farm/*.t, through
# t/farm/lib/Farm.pm): Basic credentials, the step-up cookie, the CSRF
# token of GET status, form and JSON posts, the password step-up and the
# passkey ceremonies with a software authenticator (SoftAuthn.pm).
#
# Every call names a site first, a hash:
#   url        where the server listens: 'http://127.0.0.1:8529'
#   handler    the location of the handler (SetHandler stepup): '/stepup/'
#   users      { user => password }: the Basic credentials
#   origin, rp_id
#              what a software authenticator of the site answers for
#   return_to  sent by password() and passkey/begin when a call gives none
#              (optional)
#   token      sub { my ($user) = @_; ... }: the step-up token the passkey
#              registration and wipe() send when a call gives none (optional)
#   csrf       a hash to keep one CSRF token per user in (optional; without
#              it every post fetches a fresh one, as after a key rotation)
# A test may set @HEADERS (with local): headers every request sends after
# its own, as a load balancer in front of the server forwards them.
# Responses are HTTP::Response objects.

use strict;
use warnings;

use HTTP::Request ();
use JSON::PP ();
use LWP::UserAgent ();
use POSIX ();
use URI ();
use Exporter 'import';

use SoftAuthn ();
use StepupTest ();

our @EXPORT_OK = qw(request json_of err_of decoded form_body status csrf
                    post_json password register_begin register_finish
                    register login_begin login_finish login passkeys wipe
                    authn race);

our @HEADERS;

# No redirect followed, no cookie kept: every header a test sends is
# explicit; no connection kept, so that forked requests (race) share none.
my $ua = LWP::UserAgent->new(timeout => 20, max_redirect => 0,
                             keep_alive => 0);

# ---- requests and responses ------------------------------------------------

# application/x-www-form-urlencoded text of [name, value, ...] in order.
sub form_body {
    my @pairs = @_;
    my @out;
    while (my ($k, $v) = splice @pairs, 0, 2) {
        push @out, join '=', map {
            (my $s = $_) =~ s/([^A-Za-z0-9_.~-])/sprintf('%%%02X', ord $1)/ge;
            $s;
        } $k, $v;
    }
    return join '&', @out;
}

# request($site, METHOD, PATH, USER, headers => [...], token => TOKEN,
# content => TEXT or [name, value, ...] (a form)). PATH is absolute on the
# site's server; USER undef sends no credentials.
sub request {
    my ($site, $method, $path, $user, %o) = @_;
    my $req = HTTP::Request->new($method, "$site->{url}$path");
    my @h = @{ $o{headers} || [] };
    if (defined $user) {
        my $pw = $site->{users}{$user};
        die "no such test user $user\n" unless defined $pw;
        unshift @h, StepupTest::basic($user, $pw);
    }
    my $content = $o{content};
    if (ref $content eq 'ARRAY') {
        $content = form_body(@$content);
        push @h, 'Content-Type' => 'application/x-www-form-urlencoded';
    }
    push @h, Cookie => "stepup=$o{token}" if defined $o{token};
    push @h, @HEADERS;
    while (my ($k, $v) = splice @h, 0, 2) {
        $req->header($k => $v);
    }
    if (defined $content) {
        $req->content($content);
        $req->header('Content-Length' => length $content);
    }
    return $ua->request($req);
}

sub json_of {
    my ($res) = @_;
    my $v = eval { JSON::PP->new->decode($res->content) };
    return ref $v ? $v : undef;
}

# The reason of a refusal: the "error" of the JSON body, else the body.
sub err_of {
    my ($res) = @_;
    my $j = json_of($res);
    return ref $j eq 'HASH' && defined $j->{error} ? $j->{error}
         : $res->content;
}

# A Location (or any URL) as "URL-without-query name=value&...", the query
# decoded: what a redirect means, whatever its escaping.
sub decoded {
    my ($loc) = @_;
    return 'none' unless defined $loc;
    my $u = URI->new($loc);
    my @q = $u->query_form;
    my @pairs;
    push @pairs, shift(@q) . '=' . shift(@q) while @q;
    $u->query(undef);
    return "$u " . join('&', @pairs);
}

# ---- the handler's endpoints -----------------------------------------------

# The handler's location: the option handler, else the site's.
sub _handler {
    my ($site, $o) = @_;
    my $h = defined $o->{handler} ? $o->{handler} : $site->{handler};
    $h .= '/' unless $h =~ m{/$};
    return $h;
}

# GET status as $user: the decoded JSON (with csrf), {} when there is none.
# Options: handler, token, headers.
sub status {
    my ($site, $user, %o) = @_;
    my $res = request($site, 'GET', _handler($site, \%o) . 'status', $user,
                      %o, headers => [Accept => 'application/json',
                                      @{ $o{headers} || [] }]);
    my $j = json_of($res);
    return ref $j eq 'HASH' ? $j : {};
}

# The CSRF token of $user (kept in $site->{csrf} when the site has one).
# Options: handler.
sub csrf {
    my ($site, $user, %o) = @_;
    my $keep = $site->{csrf};
    my $key = _handler($site, \%o) . "|$user";
    return $keep->{$key} if $keep && defined $keep->{$key};
    my $v = status($site, $user, handler => $o{handler})->{csrf};
    $keep->{$key} = $v if $keep;
    return $v;
}

# POST a JSON body (a reference: encoded; a string: sent as is) to the
# handler's $endpoint as $user. Options: csrf (default: a valid one; undef:
# none), token (the step-up cookie), type (Content-Type, undef: none),
# headers, handler.
sub post_json {
    my ($site, $endpoint, $user, $body, %o) = @_;
    my $csrf = exists $o{csrf} ? $o{csrf} : csrf($site, $user, %o);
    my $type = exists $o{type} ? $o{type} : 'application/json';
    my $content = ref $body ? SoftAuthn::to_json($body)
                : defined $body ? $body : '';
    return request($site, 'POST', _handler($site, \%o) . $endpoint, $user,
        headers => [Accept => 'application/json',
                    (defined $csrf ? ('X-Stepup-CSRF' => $csrf) : ()),
                    (defined $type ? ('Content-Type' => $type) : ()),
                    @{ $o{headers} || [] }],
        token => $o{token}, content => $content);
}

# POST password (a form, answered in JSON): the response. $password undef:
# the user's own. Options: csrf, return_to, handler.
sub password {
    my ($site, $user, $password, %o) = @_;
    my $csrf = exists $o{csrf} ? $o{csrf} : csrf($site, $user, %o);
    $password = $site->{users}{$user} unless defined $password;
    my $rt = defined $o{return_to} ? $o{return_to}
           : defined $site->{return_to} ? $site->{return_to} : '/';
    return request($site, 'POST', _handler($site, \%o) . 'password', $user,
        headers => [Accept => 'application/json'],
        content => [csrf => $csrf, password => $password, return_to => $rt]);
}

# The token a passkey registration sends: the option token (undef: none),
# else the site's.
sub _token {
    my ($site, $user, $o) = @_;
    return $o->{token} if exists $o->{token};
    return $site->{token} ? $site->{token}->($user) : undef;
}

# register/begin: (response, options or undef). Options: token, name,
# return_to, and post_json's.
sub register_begin {
    my ($site, $user, %o) = @_;
    my %args;
    $args{$_} = $o{$_} for grep { defined $o{$_} } qw(name return_to);
    my $res = post_json($site, 'passkey/register/begin', $user, \%args,
                        %o, token => _token($site, $user, \%o));
    return ($res, $res->code == 200 ? json_of($res) : undef);
}

# register/finish: the response. Options: token, and post_json's.
sub register_finish {
    my ($site, $user, $body, %o) = @_;
    return post_json($site, 'passkey/register/finish', $user, $body, %o,
                     token => _token($site, $user, \%o));
}

# The whole registration of $authn's credential: the finish response (the
# begin response when begin fails). Options: register_begin's, over (hash
# of SoftAuthn overrides).
sub register {
    my ($authn, $site, $user, %o) = @_;
    my ($res, $opts) = register_begin($site, $user, %o);
    return $res unless $opts;
    my $reg = $authn->register($opts, %{ $o{over} || {} });
    return register_finish($site, $user, $reg, %o);
}

# passkey/begin: (response, options or undef). Options: acr, return_to,
# and post_json's.
sub login_begin {
    my ($site, $user, %o) = @_;
    my %args;
    $args{acr} = $o{acr} if defined $o{acr};
    my $rt = exists $o{return_to} ? $o{return_to} : $site->{return_to};
    $args{return_to} = $rt if defined $rt;
    my $res = post_json($site, 'passkey/begin', $user, \%args, %o);
    return ($res, $res->code == 200 ? json_of($res) : undef);
}

sub login_finish {
    my ($site, $user, $body, %o) = @_;
    return post_json($site, 'passkey/finish', $user, $body, %o);
}

# A whole step-up with $authn: the finish response (or begin's on failure).
# Options: login_begin's, over (hash of SoftAuthn overrides).
sub login {
    my ($authn, $site, $user, %o) = @_;
    my ($res, $opts) = login_begin($site, $user, %o);
    return $res unless $opts;
    return login_finish($site, $user,
                        $authn->assert($opts, %{ $o{over} || {} }), %o);
}

# GET passkeys: the list (array of hashes), or undef.
sub passkeys {
    my ($site, $user) = @_;
    my $res = request($site, 'GET', _handler($site, {}) . 'passkeys', $user,
                      headers => [Accept => 'application/json']);
    my $j = json_of($res);
    return ref $j eq 'HASH' && ref $j->{passkeys} eq 'ARRAY'
        ? $j->{passkeys} : undef;
}

# Removes every passkey of $user (a rerun on the same server starts clean).
sub wipe {
    my ($site, $user) = @_;
    for my $p (@{ passkeys($site, $user) || [] }) {
        post_json($site, 'passkeys/delete', $user, { id => $p->{id} },
                  token => _token($site, $user, {}));
    }
}

# A software authenticator for the site's origin and RP ID.
sub authn {
    my ($site, %o) = @_;
    return SoftAuthn->new(origin => $site->{origin}, rp_id => $site->{rp_id},
                          %o);
}

# race(@subs): runs each sub (one request; it returns the response) in a
# process of its own, all released at once; returns their status codes in
# the order of the subs ('died' for a sub that died).
sub race {
    my (@subs) = @_;
    my (@pipes, @pids);
    pipe my $go_r, my $go_w or die "pipe: $!";
    for my $sub (@subs) {
        pipe my $rd, my $wr or die "pipe: $!";
        my $pid = fork;
        die "fork: $!" unless defined $pid;
        if (!$pid) {
            close $rd;
            close $go_w;
            sysread $go_r, my $x, 1;    # the start signal (EOF)
            my $code = eval { $sub->()->code } || 'died';
            syswrite $wr, "$code\n";
            POSIX::_exit(0);    # no Test::Builder ending in the child
        }
        close $wr;
        push @pipes, $rd;
        push @pids, $pid;
    }
    close $go_r;
    close $go_w;    # all start
    my @codes = map { my $c = readline($_); chomp $c if defined $c; $c }
                @pipes;
    waitpid $_, 0 for @pids;
    return @codes;
}

1;
