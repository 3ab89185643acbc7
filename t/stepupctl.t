# SPDX-License-Identifier: Apache-2.0
# stepupctl: keygen, token mint, token verify, token txn, usage errors.
# A plain Test::More file: it runs the built binary and needs no httpd.
# The binary: $ENV{STEPUPCTL}, else tools/stepupctl next to this t/.
use strict;
use warnings;

use Test::More;
use FindBin;
use File::Spec;
use File::Temp qw(tempdir);
use POSIX qw(strftime);
use Digest::SHA qw(hmac_sha256 sha256);
use MIME::Base64 qw(encode_base64url decode_base64url);

my $bin = $ENV{STEPUPCTL}
    || File::Spec->catfile($FindBin::Bin, File::Spec->updir, 'tools',
                           'stepupctl');
BAIL_OUT("STEPUPCTL=$bin is not executable")
    if $ENV{STEPUPCTL} && !-x $bin;
plan skip_all => "stepupctl not built ($bin)" unless -x $bin;

my $dir = tempdir(CLEANUP => 1);
my $seq = 0;

# Runs stepupctl with @args and $stdin; returns (exit code, stdout, stderr).
sub run {
    my ($stdin, @args) = @_;
    my $n = ++$seq;
    my ($in, $out, $err) = map { "$dir/run$n.$_" } qw(in out err);
    write_file($in, defined $stdin ? $stdin : '', 0600);
    my $pid = fork;
    die "fork: $!" unless defined $pid;
    if (!$pid) {
        open STDIN, '<', $in or POSIX::_exit(126);
        open STDOUT, '>', $out or POSIX::_exit(126);
        open STDERR, '>', $err or POSIX::_exit(126);
        exec $bin, @args or POSIX::_exit(127);
    }
    waitpid $pid, 0;
    my $rc = $? & 127 ? 128 + ($? & 127) : $? >> 8;
    return ($rc, read_file($out), read_file($err));
}

sub write_file {
    my ($path, $text, $mode) = @_;
    open my $fh, '>', $path or die "$path: $!";
    print $fh $text;
    close $fh;
    chmod $mode, $path or die "chmod $path: $!";
    return $path;
}

sub read_file {
    my ($path) = @_;
    open my $fh, '<', $path or return '';
    local $/;
    my $text = <$fh>;
    return defined $text ? $text : '';
}

# "name: value" lines into a hash.
sub fields {
    my ($text) = @_;
    my %f;
    for (split /\n/, $text) {
        $f{$1} = $2 if /^([a-z_]+): (.*)$/;
    }
    return \%f;
}

sub key_file {
    my ($name, @lines) = @_;
    return write_file("$dir/$name", join('', map { "$_\n" } @lines), 0600);
}

sub keygen_line {
    my ($kid) = @_;
    my ($rc, $out) = run(undef, 'keygen', $kid);
    die "keygen $kid failed" unless $rc == 0;
    chomp $out;
    return $out;
}

sub mint {
    my ($rc, $out, $err) = run(undef, 'token', 'mint', @_);
    chomp $out;
    return wantarray ? ($rc, $out, $err) : $out;
}

sub one_line_error {
    my ($err, $re, $name) = @_;
    like($err, qr/\Astepupctl: [^\n]*$re[^\n]*\n\z/, $name);
}

my $now = time;

# --- keygen ----------------------------------------------------------
{
    my $before = strftime('%Y%m%d', gmtime);
    my ($rc, $out, $err) = run(undef, 'keygen');
    my $after = strftime('%Y%m%d', gmtime);
    is($rc, 0, 'keygen: exit 0');
    like($out, qr/\Ak(\d{8}) [A-Za-z0-9_-]{43}\n\z/,
         'keygen: one line "kYYYYMMDD SECRET"');
    my ($date) = $out =~ /\Ak(\d{8}) /;
    ok(defined $date && ($date eq $before || $date eq $after),
       'keygen: default KID is k + the UTC date');
    is($err, '', 'keygen: nothing on stderr');
    my ($secret) = $out =~ / (\S+)\n\z/;
    is(length(decode_base64url($secret)), 32, 'keygen: secret is 32 bytes');

    my ($rc2, $out2) = run(undef, 'keygen');
    is($rc2, 0, 'keygen again: exit 0');
    isnt($out2, $out, 'keygen: two runs differ');

    ($rc, $out) = run(undef, 'keygen', 'prod-2024_a');
    is($rc, 0, 'keygen KID: exit 0');
    like($out, qr/\Aprod-2024_a [A-Za-z0-9_-]{43}\n\z/, 'keygen KID: uses KID');

    ($rc, $out, $err) = run(undef, 'keygen', 'bad kid!');
    is($rc, 2, 'keygen bad KID: usage error');
    is($out, '', 'keygen bad KID: no output');
    one_line_error($err, qr/invalid key id/, 'keygen bad KID: reason');

    ($rc, undef, $err) = run(undef, 'keygen', 'abcdefghijklmnopq');
    is($rc, 2, 'keygen 17-char KID: usage error');

    # a keygen line is a key file
    my $kf = key_file('gen.keys', keygen_line('gen1'));
    my $tok = mint('--key-file', $kf, '--user', 'alice');
    like($tok, qr/\Av1\.gen1\./, 'keygen line works as a key file (mint)');
    ($rc, $out) = run(undef, 'token', 'verify', '--key-file', $kf, $tok);
    is($rc, 0, 'keygen line works as a key file (verify)');
}

# --- key files used below ---------------------------------------------
my $lineA = keygen_line('kA');
my $lineB = keygen_line('kB');
my $fileA = key_file('a.keys', '# the signing key', $lineA);
my $fileBA = key_file('ba.keys', $lineB, $lineA);
my $fileB = key_file('b.keys', $lineB);
my ($secretA) = $lineA =~ /^kA (\S+)$/;

# --- mint + verify round trip, each acr --------------------------------
for my $acr (qw(pwd phr phrh)) {
    my ($rc, $tok, $err) = mint('--key-file', $fileA, '--user', 'bob',
                                '--acr', $acr);
    is($rc, 0, "mint acr $acr: exit 0");
    like($tok, qr/\Av1\.kA\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}\z/,
         "mint acr $acr: v1.<kid>.<payload>.<mac>");
    my ($vrc, $out) = run(undef, 'token', 'verify', '--key-file', $fileA,
                          '--user', 'bob', '--acr', $acr, $tok);
    is($vrc, 0, "verify acr $acr: exit 0");
    my $f = fields($out);
    is($f->{acr}, $acr, "verify acr $acr: acr");
    is($f->{amr}, $acr eq 'pwd' ? 'pwd' : 'hwk', "verify acr $acr: default amr");
}

# --- verify prints every field -----------------------------------------
my $at = $now - 30;
my $cookie = 'session=3f9a1c;opaque';
my $bound = mint('--key-file', $fileA, '--user', 'carol|ops', '--acr', 'phr',
                 '--amr', 'swk', '--ttl', '600', '--auth-time', $at,
                 '--bind-cookie', $cookie);
{
    my ($rc, $out, $err) = run(undef, 'token', 'verify', '--key-file', $fileA,
                               '--bind-cookie', $cookie, $bound);
    is($rc, 0, 'verify all fields: exit 0');
    is($err, '', 'verify all fields: nothing on stderr');
    my $f = fields($out);
    is($f->{kid}, 'kA', 'field kid');
    is($f->{user}, 'carol|ops', 'field user (with |)');
    is($f->{auth_time}, $at, 'field auth_time');
    is($f->{expires}, $at + 600, 'field expires = auth_time + ttl');
    is($f->{acr}, 'phr', 'field acr');
    is($f->{amr}, 'swk', 'field amr');
    is($f->{bind}, encode_base64url(substr(sha256($cookie), 0, 16)),
       'field bind = b64url(SHA-256(cookie)[0..16))');
    is($f->{auth_time_utc},
       strftime('%Y-%m-%d %H:%M:%S UTC', gmtime $at), 'auth_time in UTC');
    is($f->{expires_utc},
       strftime('%Y-%m-%d %H:%M:%S UTC', gmtime($at + 600)), 'expires in UTC');
    unlike($out, qr/\Q$secretA\E/, 'verify never prints the secret');

    # unbound token prints bind "-", default ttl 300, auth-time now
    my $t0 = time;
    my $tok = mint('--key-file', $fileA, '--user', 'dave');
    my $t1 = time;
    ($rc, $out) = run(undef, 'token', 'verify', '--key-file', $fileA, $tok);
    $f = fields($out);
    is($f->{bind}, '-', 'unbound token: bind "-"');
    ok($f->{auth_time} >= $t0 && $f->{auth_time} <= $t1,
       'default auth-time is now');
    is($f->{expires} - $f->{auth_time}, 300, 'default ttl 300');
}

# --- the format is public: recompute it in Perl -------------------------
{
    my ($v, $kid, $payload, $mac) = split /\./, $bound;
    my $key = decode_base64url($secretA);
    is(encode_base64url(hmac_sha256("$v.$kid.$payload", $key)), $mac,
       'Perl HMAC-SHA256 of "v1.<kid>.<payload>" equals the MAC');
    my ($pat, $pexp, $pacr, $pamr, $pbind, $puser) =
        split /\|/, decode_base64url($payload), 6;
    my (undef, $out) = run(undef, 'token', 'verify', '--key-file', $fileA,
                           $bound);
    my $f = fields($out);
    is_deeply([$kid, $pat, $pexp, $pacr, $pamr, $pbind, $puser],
              [@$f{qw(kid auth_time expires acr amr bind user)}],
              'payload decoded in Perl matches what verify prints');

    # and a token made in Perl verifies with stepupctl
    my $p = encode_base64url(join '|', $now - 5, $now + 100, 'phrh', 'hwk',
                             '-', 'erin');
    my $signed = "v1.kA.$p";
    my $ptok = "$signed." . encode_base64url(hmac_sha256($signed, $key));
    my $rc;
    ($rc, $out) = run(undef, 'token', 'verify', '--key-file', $fileA,
                      '--user', 'erin', '--acr', 'phrh', $ptok);
    is($rc, 0, 'a token minted in Perl verifies');
    is(fields($out)->{user}, 'erin', 'Perl token: user');
}

# --- rejections ---------------------------------------------------------
sub rejected {
    my ($name, $reason, @args) = @_;
    my ($rc, $out, $err) = run(undef, 'token', 'verify', @args);
    is($rc, 1, "$name: exit 1");
    one_line_error($err, qr/\Q$reason\E/, "$name: reason \"$reason\"");
    is($out, '', "$name: nothing on stdout");
}

my $alice = mint('--key-file', $fileA, '--user', 'alice', '--acr', 'phr',
                 '--auth-time', $now - 100, '--ttl', '600');

rejected('wrong user', 'token of another user',
         '--key-file', $fileA, '--user', 'mallory', $alice);
{
    my $old = mint('--key-file', $fileA, '--user', 'alice',
                   '--auth-time', $now - 100, '--ttl', '10');
    rejected('expired', 'expired', '--key-file', $fileA, $old);
}
rejected('auth_time in the future', 'auth_time in the future',
         '--key-file', $fileA, '--now', $now - 100 - 61, $alice);
{
    my ($rc) = run(undef, 'token', 'verify', '--key-file', $fileA,
                   '--now', $now - 100 - 60, $alice);
    is($rc, 0, 'auth_time 60 s ahead of --now: within the skew');
    ($rc) = run(undef, 'token', 'verify', '--key-file', $fileA,
                '--now', $now - 100 + 599, $alice);
    is($rc, 0, '--now one second before expires: valid');
}
rejected('expired at --now = expires', 'expired',
         '--key-file', $fileA, '--now', $now - 100 + 600, $alice);
rejected('max-age exceeded', 'older than max-age',
         '--key-file', $fileA, '--max-age', '60', $alice);
{
    my ($rc) = run(undef, 'token', 'verify', '--key-file', $fileA,
                   '--max-age', '200', $alice);
    is($rc, 0, 'max-age not exceeded: valid');
}
rejected('acr higher than the token', 'assurance level too low',
         '--key-file', $fileA, '--acr', 'phrh', $alice);

# binding
{
    my $tok = mint('--key-file', $fileA, '--user', 'alice',
                   '--bind-cookie', 'X');
    my ($rc) = run(undef, 'token', 'verify', '--key-file', $fileA,
                   '--bind-cookie', 'X', $tok);
    is($rc, 0, 'bound token verifies with its cookie');
    rejected('bound token, other cookie', 'bound to another session',
             '--key-file', $fileA, '--bind-cookie', 'Y', $tok);
    rejected('unbound token, binding asked', 'bound to another session',
             '--key-file', $fileA, '--bind-cookie', 'X', $alice);
}

# rotation
{
    my $tok = mint('--key-file', $fileA, '--user', 'alice');
    my ($rc) = run(undef, 'token', 'verify', '--key-file', $fileBA, $tok);
    is($rc, 0, 'rotation: token of A verifies with [B, A]');
    rejected('rotation: A dropped', 'unknown key id',
             '--key-file', $fileB, $tok);
    my $tokB = mint('--key-file', $fileBA, '--user', 'alice');
    like($tokB, qr/\Av1\.kB\./, 'rotation: [B, A] signs with B');
}

# tampering
{
    my ($v, $kid, $payload, $mac) = split /\./, $alice;
    my $flip = sub {
        my ($s, $i) = @_;
        my $c = substr($s, $i, 1);
        substr($s, $i, 1) = $c eq 'A' ? 'B' : 'A';
        return $s;
    };
    rejected('tampered payload', 'bad MAC', '--key-file', $fileA,
             join '.', $v, $kid, $flip->($payload, 5), $mac);
    rejected('tampered MAC', 'bad MAC', '--key-file', $fileA,
             join '.', $v, $kid, $payload, $flip->($mac, 10));
    rejected('other version', 'unsupported token version',
             '--key-file', $fileA, join '.', 'v3', $kid, $payload, $mac);
    rejected('v1 token called v2', 'bad MAC',
             '--key-file', $fileA, join '.', 'v2', $kid, $payload, $mac);
    rejected('garbage', 'malformed token', '--key-file', $fileA, 'garbage');
}

# --- v2: transaction-bound tokens, token txn ------------------------------
{
    my $form = 'amount=5000&to=bob';
    my @req = ('POST', '/bank/transfer/', 'application/x-www-form-urlencoded');
    my $body = write_file("$dir/body", $form, 0600);
    my $ref = encode_base64url(substr(sha256("POST /bank/transfer/\n"
        . "application/x-www-form-urlencoded\n$form"), 0, 16));
    my $get = encode_base64url(substr(sha256("GET /\n\n"), 0, 16));
    my ($rc, $out, $err) = run(undef, 'token', 'txn', @req, $body);
    is($rc, 0, 'token txn: exit 0');
    is($out, "$ref\n", 'token txn: b64url(SHA-256(request)[0..16))');
    ($rc, $out) = run($form, 'token', 'txn', @req, '-');
    is($out, "$ref\n", 'token txn: the body from stdin');
    ($rc, $out) = run(undef, 'token', 'txn', 'GET', '/');
    is($out, "$get\n", 'token txn: no Content-Type, no body');

    my $v2 = mint('--key-file', $fileA, '--user', 'bob', '--acr', 'phrh',
                  '--txn', $ref);
    like($v2, qr/\Av2\.kA\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}\z/,
         'mint --txn: v2.<kid>.<payload>.<mac>');
    my ($v, $kid, $payload, $mac) = split /\./, $v2;
    is(encode_base64url(hmac_sha256("$v.$kid.$payload",
                                    decode_base64url($secretA))), $mac,
       'Perl HMAC-SHA256 of "v2.<kid>.<payload>" equals the MAC');
    like(decode_base64url($payload),
         qr/\A\d+\|\d+\|phrh\|hwk\|-\|\Q$ref\E\|bob\z/,
         'v2 payload: the txn is the field before the user');
    ($rc, $out) = run(undef, 'token', 'verify', '--key-file', $fileA,
                      '--txn', $ref, $v2);
    is($rc, 0, 'verify --txn of its request: exit 0');
    my $f = fields($out);
    is($f->{version}, 'v2', 'verify: version v2');
    is($f->{txn}, $ref, 'verify: the txn');
    is($f->{user}, 'bob', 'verify v2: the user');
    rejected('v2 without --txn', 'transaction-bound token where none is '
             . 'accepted', '--key-file', $fileA, $v2);
    rejected('v2, another request', 'transaction-bound token for another '
             . 'request', '--key-file', $fileA, '--txn', $get, $v2);
    ($rc, $out) = run(undef, 'token', 'verify', '--key-file', $fileA,
                      '--txn', $ref, $alice);
    is($rc, 0, 'a v1 token verifies whatever --txn says');
    $f = fields($out);
    is($f->{version}, 'v1', 'verify: version v1');
    ok(!exists $f->{txn}, 'verify v1: no txn line');
}

# --- key file refusals ----------------------------------------------------
sub key_refused {
    my ($name, $file, $re) = @_;
    my ($rc, $out, $err) = run(undef, 'token', 'mint', '--key-file', $file,
                               '--user', 'alice');
    is($rc, 1, "key file $name: mint exit 1");
    one_line_error($err, $re, "key file $name: one-line reason");
    is($out, '', "key file $name: no token");
    ($rc, undef, $err) = run(undef, 'token', 'verify', '--key-file', $file,
                             $alice);
    is($rc, 1, "key file $name: verify exit 1");
}
key_refused('missing', "$dir/no-such.keys", qr/No such file/i);
key_refused('mode 0644',
            write_file("$dir/open.keys", "$lineA\n", 0644),
            qr/group or others/);
key_refused('empty', write_file("$dir/empty.keys", '', 0600), qr/empty/);
key_refused('short secret',
            write_file("$dir/short.keys",
                       'k1 ' . encode_base64url('x' x 16) . "\n", 0600),
            qr/secret is 16 bytes, at least 32/);
{
    my (undef, undef, $err) = run(undef, 'token', 'mint', '--key-file',
        write_file("$dir/short2.keys",
                   'k1 ' . encode_base64url('s' x 16) . "\n", 0600),
        '--user', 'alice');
    unlike($err, qr/\Q${\ encode_base64url('s' x 16)}\E/,
           'key file errors never show the secret');
}

# --- usage errors -----------------------------------------------------------
sub usage_error {
    my ($name, @args) = @_;
    my ($rc, $out, $err) = run(undef, @args);
    is($rc, 2, "$name: exit 2");
    like($err, qr/\Astepupctl: [^\n]+\n\z/, "$name: one line on stderr");
}
usage_error('no command');
usage_error('unknown command', 'frobnicate');
usage_error('unknown token command', 'token', 'frob');
usage_error('token without subcommand', 'token');
usage_error('unknown option', 'token', 'mint', '--key-file', $fileA,
            '--user', 'a', '--bogus');
usage_error('mint without --user', 'token', 'mint', '--key-file', $fileA);
usage_error('mint without --key-file', 'token', 'mint', '--user', 'a');
usage_error('--ttl abc', 'token', 'mint', '--key-file', $fileA,
            '--user', 'a', '--ttl', 'abc');
usage_error('--ttl 0', 'token', 'mint', '--key-file', $fileA,
            '--user', 'a', '--ttl', '0');
usage_error('--acr bogus', 'token', 'mint', '--key-file', $fileA,
            '--user', 'a', '--acr', 'high');
usage_error('--amr pwd for acr phr', 'token', 'mint', '--key-file', $fileA,
            '--user', 'a', '--acr', 'phr', '--amr', 'pwd');
usage_error('--max-age -5', 'token', 'verify', '--key-file', $fileA,
            '--max-age', '-5', $alice);
usage_error('verify without TOKEN', 'token', 'verify', '--key-file', $fileA);
usage_error('option given twice', 'token', 'verify', '--key-file', $fileA,
            '--user', 'a', '--user', 'b', $alice);
usage_error('mint --txn too short', 'token', 'mint', '--key-file', $fileA,
            '--user', 'a', '--txn', 'QkzBjj6JuLvHcfAwpl-w_');
usage_error('verify --txn not canonical', 'token', 'verify', '--key-file',
            $fileA, '--txn', 'QkzBjj6JuLvHcfAwpl-w_B', $alice);
usage_error('token txn without TARGET', 'token', 'txn', 'GET');
usage_error('token txn, a space in METHOD', 'token', 'txn', 'GE T', '/');
{
    my ($rc, $out, $err) = run(undef, 'webauthn', 'verify-registration');
    is($rc, 2, 'webauthn verify-registration without --rp-id: exit 2');
    like($err, qr/--rp-id is required/,
         'webauthn verify-registration without --rp-id: says what is missing');
}

# --- webauthn verify-registration --now -------------------------------------
# A recorded ceremony is checked at its instant: epoch seconds or ISO 8601.
# What is not an instant is a usage error (exit 2) naming --now and the
# value, before anything is read; an accepted instant lets the command go on
# to read the (here empty) response, which it then rejects (exit 1).
{
    my @wa = ('webauthn', 'verify-registration', '--rp-id', 'example.com',
              '--origin', 'https://example.com', '--challenge', 'AAAA');
    for my $bad ('yesterday', '', '0', '1e9', '-5', '9999999999999',
                 '2021-04-02T23:11:27', '2021-04-02 23:11:27Z',
                 '2021-02-30T00:00:00Z', '2021-13-01T00:00:00Z',
                 '2021-04-02T24:00:00Z', '1969-12-31T23:59:59Z',
                 '2021-04-02T23:11:27.Z') {
        my ($rc, $out, $err) = run('', @wa, '--now', $bad);
        is($rc, 2, "--now '$bad': exit 2");
        like($err, qr/\Astepupctl: webauthn verify-registration: --now: "\Q$bad\E" is (not epoch seconds or an ISO 8601 instant|out of range)[^\n]*\n\z/,
             "--now '$bad': one line naming --now and the value");
        is($out, '', "--now '$bad': nothing on stdout");
    }
    for my $good ('1617405087', '2021-04-02T23:11:27Z',
                  '2021-09-03T21:07:20.057Z', '2021-04-03T01:11:27+02:00') {
        my ($rc, $out, $err) = run('', @wa, '--now', $good);
        is($rc, 1, "--now '$good': accepted (the empty response is what is "
           . 'rejected)');
        unlike($err, qr/--now/, "--now '$good': no complaint about --now");
    }
    my ($rc, $out) = run(undef, 'webauthn', 'verify-registration', '--help');
    is($rc, 0, 'webauthn verify-registration --help: exit 0');
    like($out, qr/--now TIME .*ISO 8601/s,
         'webauthn verify-registration --help describes --now TIME');
}

# --- help ---------------------------------------------------------------------
for my $args (['--help'], ['-h'], ['keygen', '--help'], ['token', '--help'],
              ['token', 'mint', '--help'], ['token', 'verify', '-h'],
              ['token', 'txn', '--help']) {
    my ($rc, $out, $err) = run(undef, @$args);
    is($rc, 0, "@$args: exit 0");
    like($out, qr/^Usage: stepupctl/, "@$args: usage on stdout");
}

# --- token from stdin -------------------------------------------------------------
{
    my ($rc, $out, $err) = run("$alice\n", 'token', 'verify', '--key-file',
                               $fileA, '-');
    is($rc, 0, 'token from stdin: exit 0');
    is(fields($out)->{user}, 'alice', 'token from stdin: fields printed');
    ($rc, $out) = run($alice, 'token', 'verify', '-', '--key-file', $fileA,
                      '--user', 'alice');
    is($rc, 0, 'token from stdin, "-" before the options, no newline');
    ($rc, undef, $err) = run('', 'token', 'verify', '--key-file', $fileA, '-');
    is($rc, 1, 'empty stdin: exit 1');
    like($err, qr/malformed token/, 'empty stdin: malformed token');
}

done_testing();
