# SPDX-License-Identifier: Apache-2.0
# Parked requests across a farm (StepupCache redis: and memcache:, two
# servers): a request parked on one server is confirmed and resumed on the
# other, and reaches the backend (a CGI on each server) once; ten resumes of
# one id released together over both servers: exactly one reaches the
# backend; with the cache down nothing is parked (the 401 says why) and
# POST resume answers 503. Run by scripts/farm-test.sh.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib", "$FindBin::Bin/../lib";
use Test::More;
use Farm ();
use StepupClient qw(csrf json_of password race request);
use StepupToken qw(token_from);
use File::Copy qw(copy);
use File::Path qw(make_path);
use File::Spec::Functions qw(catfile);
use MIME::Base64 qw(decode_base64);
use JSON::PP ();

my $BACKEND = "$FindBin::Bin/../htdocs/resume/backend.cgi";

sub count { my ($want, @codes) = @_; scalar grep { $_ eq $want } @codes }

# A farm whose /transfer/ runs the CGI of t/resume.t behind Require stepup.
sub transfer_farm {
    my ($cache, $users) = @_;
    my $farm = Farm::new_farm(cache => $cache, users => $users,
                              no_start => 1);
    my $cgi = catfile($farm->{dir}, 'backend.cgi');
    copy($BACKEND, $cgi) or die "$BACKEND: $!";
    chmod 0755, $cgi;
    $farm->{conf} = <<EOC;
LoadModule alias_module $Farm::MODDIR/mod_alias.so
LoadModule cgid_module $Farm::MODDIR/mod_cgid.so
ScriptSock cgisock
ScriptAliasMatch ^/transfer/\$ "$cgi"
<Location /transfer/>
    Require stepup
</Location>
EOC
    for my $s ($farm->servers) {
        # the CGI writes what it received to DOCUMENT_ROOT/../logs
        make_path(catfile($s->{dir}, 'logs'));
        chmod 0777, catfile($s->{dir}, 'logs');
        Farm::write_conf($s);
        Farm::start($s);
    }
    return $farm;
}

# What the backends of every server received.
sub received {
    my ($farm) = @_;
    my @all;
    for my $s ($farm->servers) {
        my $log = catfile($s->{dir}, 'logs', 'resume-backend.log');
        next unless -e $log;
        open my $fh, '<', $log or die "$log: $!";
        push @all, map { JSON::PP->new->decode($_) } grep { /\S/ } <$fh>;
    }
    return \@all;
}

# A JSON API call to /transfer/ on $s: the response.
sub transfer {
    my ($s, $user, $body, %o) = @_;
    return request($s, 'POST', '/transfer/?to=bob', $user,
                   headers => [Accept => 'application/json',
                               'Content-Type' => 'application/json'],
                   content => $body, %o);
}

# POST resume of $id on $s with $token: the response.
sub resume {
    my ($s, $user, $id, $token) = @_;
    return request($s, 'POST', '/stepup/resume', $user, token => $token,
                   content => [csrf => csrf($s, $user), id => $id]);
}

for my $cache (Farm::redis_spec(), Farm::memcache_spec()) {
    my ($kind) = $cache =~ /^(\w+):/;
    my $tag = substr($kind, 0, 1);
    my %users = map { ("$_$tag" => "$_-$tag-pw-63") } qw(rsa rsb);
    my $farm = transfer_farm($cache, \%users);
    my ($A, $B) = ($farm->a, $farm->b);
    note "$kind: A $A->{url}, B $B->{url}";

    # ---- parked on A, confirmed and resumed on B ---------------------------
    my $user = "rsa$tag";
    my $body = '{"amount":4200,"memo":"' . ('x' x 9000) . '"}';
    my $res = transfer($A, $user, $body);
    is($res->code, 401, "$kind: a call without a token on A: 401");
    my $id = (json_of($res) || {})->{resume};
    like($id // '', qr/^[A-Za-z0-9_-]{22}$/, "$kind: ... parked (a body of "
         . length($body) . ' bytes, in several cache entries)');
    my $page = request($B, 'GET', "/stepup/?resume=$id", $user);
    like($page->content, qr{POST /transfer/\?to=bob}, "$kind: B's confirm page shows it");
    $res = password($B, $user);
    my $token = token_from($res);
    ok($token, "$kind: a password step-up on B");
    $res = resume($B, $user, $id, $token);
    is($res->code, 200, "$kind: POST resume on B: the backend answers");
    my $got = received($farm);
    is(scalar @$got, 1, "$kind: ... one request reached a backend");
    ok(decode_base64($got->[0]{body} // '') eq $body,
       "$kind: ... with the body parked on A, byte for byte");
    is($got->[0]{uri}, '/transfer/?to=bob', "$kind: ... and its target");
    is(resume($A, $user, $id, $token)->code, 400, "$kind: the same id on A: 400");

    # ---- ten resumes at once over A and B: one wins -------------------------
    $user = "rsb$tag";
    $token = token_from(password($A, $user));
    for my $round (1 .. 3) {
        $res = transfer($round % 2 ? $B : $A, $user, qq({"round":$round}),
                        token => undef);
        $id = (json_of($res) || {})->{resume};
        my $before = scalar @{ received($farm) };
        my $c = csrf($A, $user);
        my @codes = race(map { my $s = $_ % 2 ? $A : $B;
                               sub { request($s, 'POST', '/stepup/resume', $user,
                                             token => $token,
                                             content => [csrf => $c, id => $id]) } }
                         1 .. 10);
        is(count(200, @codes) . ' 200, ' . count(400, @codes) . ' 400',
           '1 200, 9 400', "$kind round $round: ten resumes of one id over "
           . "two servers: one wins (@codes)");
        is(scalar @{ received($farm) } - $before, 1,
           "$kind round $round: ... and one request reached a backend");
    }
    # ---- last, the cache down: nothing parked, no resume ---------------------
    {
        my $which = $kind eq 'redis' ? 'redis' : 'memcached';
        my $kept = (json_of(transfer($A, "rsa$tag", '{"kept":1}')) || {})->{resume};
        my $tok = token_from(password($A, "rsa$tag"));
        my $c = csrf($A, "rsa$tag");
        ok(Farm::cache_stop($which), "$kind: $which stopped");
        $res = transfer($A, "rsa$tag", '{"amount":1}');
        my $j = json_of($res) || {};
        is($res->code . ' ' . (defined $j->{resume} ? 'resume' : 'none'),
           '401 none', "$kind: a call while the cache is down: 401, not parked");
        like($j->{resume_error} // '', qr/StepupCache/, "$kind: ... and it says why");
        $res = request($A, 'POST', '/stepup/resume', "rsa$tag", token => $tok,
                       content => [csrf => $c, id => $kept]);
        is($res->code, 503, "$kind: POST resume while the cache is down: 503");
        # what the servers do once it is back is fault_cache.t's
        ok(Farm::cache_start($which), "$kind: $which started again");
    }
}

done_testing();
