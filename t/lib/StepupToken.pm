package StepupToken;

# SPDX-License-Identifier: Apache-2.0
# The token oracle: an independent Perl implementation of the mod_stepup
# re-auth token (src/core/token.c is the module's), written from the format
# alone:
#
#   v1.<kid>.<payload>.<mac>
#   payload = base64url_nopad("<auth_time>|<expires>|<acr>|<amr>|<bind>|<user>")
#   mac     = base64url_nopad(HMAC-SHA256(key[kid], "v1.<kid>.<payload>"))
#   bind    = "-" or base64url_nopad(SHA-256(session cookie value)[0..16))
#
# It mints tokens with any field values, any kid and any secret, and can
# produce broken ones (other version, padded or '+/' payloads, a flipped MAC
# character), so the tests can check each rule of the verifier. That a few
# lines of Perl produce tokens httpd accepts also shows the wire format is
# public. token_from() reads the token a response sets.

use strict;
use warnings;

use Digest::SHA qw(hmac_sha256 sha256);
use MIME::Base64 qw(encode_base64url decode_base64url encode_base64);
use Exporter 'import';

our @EXPORT_OK = qw(mint sign b64url b64url_decode bind_value parse
                    flip_char noncanonical_last token_from random_bytes
                    txn_value mint_v2 parse_v2);

# base64url without padding (RFC 4648 section 5).
sub b64url {
    my ($bytes) = @_;
    my $s = encode_base64url($bytes);    # never padded, no newlines
    $s =~ s/=+$//;
    return $s;
}

# The bytes of a base64url text (a key-file secret: the raw HMAC key).
sub b64url_decode {
    my ($s) = @_;
    return decode_base64url($s);
}

# $n random bytes (key secrets, credential ids).
sub random_bytes {
    my ($n) = @_;
    open my $fh, '<:raw', '/dev/urandom' or die "/dev/urandom: $!\n";
    my $buf;
    my $got = read $fh, $buf, $n;
    die "/dev/urandom: short read\n" unless defined $got && $got == $n;
    close $fh;
    return $buf;
}

# The bind value of a session cookie value.
sub bind_value {
    my ($cookie_value) = @_;
    return b64url(substr(sha256($cookie_value), 0, 16));
}

# MAC of the signed part, base64url.
sub sign {
    my ($signed_part, $secret) = @_;
    return b64url(hmac_sha256($signed_part, $secret));
}

# mint(secret => RAW, kid => 'k1', user => 'alice', ...) -> token string
#
# Fields (defaults in brackets):
#   auth_time [now - 10], expires [auth_time + 300], acr [pwd], amr [pwd],
#   bind ['-'], user (required unless payload_text is given),
#   version ['v1'], kid ['k1'].
# Ways to build a broken token:
#   payload_text => the exact text before encoding (any field layout)
#   payload_b64  => a sub { my $raw = shift; ... } returning the encoding
#                   (e.g. standard base64 with '+', '/' or '=' padding)
#   mac          => the MAC text to append instead of the right one
#   mac_secret   => sign with this secret instead (a wrong key)
sub mint {
    my (%a) = @_;
    my $now = time;
    my $secret = $a{secret};
    die "StepupToken::mint: secret required\n" unless defined $secret;

    my $version = exists $a{version} ? $a{version} : 'v1';
    my $kid     = exists $a{kid} ? $a{kid} : 'k1';
    my $text = $a{payload_text};
    unless (defined $text) {
        die "StepupToken::mint: user required\n" unless defined $a{user};
        my $auth_time = exists $a{auth_time} ? $a{auth_time} : $now - 10;
        my $expires   = exists $a{expires} ? $a{expires} : $auth_time + 300;
        $text = join '|', $auth_time, $expires,
            (exists $a{acr}  ? $a{acr}  : 'pwd'),
            (exists $a{amr}  ? $a{amr}  : 'pwd'),
            (exists $a{bind} ? $a{bind} : '-'),
            $a{user};
    }
    my $payload = $a{payload_b64} ? $a{payload_b64}->($text) : b64url($text);
    my $signed = "$version.$kid.$payload";
    my $mac = defined $a{mac} ? $a{mac}
            : sign($signed, defined $a{mac_secret} ? $a{mac_secret} : $secret);
    return "$signed.$mac";
}

# parse(TOKEN) -> hash of the parts and fields (no verification); used by
# tests to build tampered variants of a valid token.
sub parse {
    my ($token) = @_;
    my ($version, $kid, $payload, $mac) = split /\./, $token, 4;
    my $text = decode_base64url($payload);
    my ($auth_time, $expires, $acr, $amr, $bind, $user) =
        split /\|/, $text, 6;
    return {
        version => $version, kid => $kid, payload => $payload, mac => $mac,
        text => $text, auth_time => $auth_time, expires => $expires,
        acr => $acr, amr => $amr, bind => $bind, user => $user,
    };
}

# The same string with the character at position $pos replaced by another
# of the base64url alphabet (a one-character change that stays well-formed).
sub flip_char {
    my ($s, $pos) = @_;
    $pos = length($s) + $pos if $pos < 0;
    my $c = substr($s, $pos, 1);
    substr($s, $pos, 1) = $c eq 'A' ? 'B' : 'A';
    return $s;
}

# The value a response (HTTP::Response) sets for the cookie $name (default
# stepup, the token's), or undef: the token the module issued.
sub token_from {
    my ($res, $name) = @_;
    $name = 'stepup' unless defined $name;
    for my $line ($res->header('Set-Cookie')) {
        return $1 if defined $line && $line =~ /^\Q$name\E=([^;]*)/;
    }
    return undef;
}

my $ALPHABET = join '', 'A' .. 'Z', 'a' .. 'z', '0' .. '9', '-', '_';

# A base64url text whose last character differs only in the low bit, which
# for a 32-byte MAC (43 characters, 258 bits) is a padding bit: a lenient
# decoder reads the same bytes, a canonical comparison does not.
sub noncanonical_last {
    my ($s) = @_;
    my $v = index $ALPHABET, substr($s, -1);
    die "not base64url: $s\n" if $v < 0;
    substr($s, -1) = substr($ALPHABET, $v ^ 1, 1);
    return $s;
}

# ---- v2, the transaction-bound token ----------------------------------------
#
#   v2.<kid>.<payload>.<mac>
#   payload = base64url_nopad("<auth_time>|<expires>|<acr>|<amr>|<bind>|<txn>|<user>")
#   txn     = base64url_nopad(SHA-256(METHOD SP target LF Content-Type LF body)
#                             [0..16))

# txn_value(METHOD, TARGET, CONTENT_TYPE or undef, BODY or undef)
sub txn_value {
    my ($method, $target, $ctype, $body) = @_;
    $ctype = '' unless defined $ctype;
    $body = '' unless defined $body;
    return b64url(substr(sha256("$method $target\n$ctype\n$body"), 0, 16));
}

# mint_v2(secret => RAW, txn => TXN, user => 'alice', ...): the fields and
# defaults of mint, with txn (required) before the user.
sub mint_v2 {
    my (%a) = @_;
    die "StepupToken::mint_v2: txn required\n" unless defined $a{txn};
    die "StepupToken::mint_v2: user required\n" unless defined $a{user};
    my $auth_time = exists $a{auth_time} ? $a{auth_time} : time - 10;
    my $text = join '|', $auth_time,
        (exists $a{expires} ? $a{expires} : $auth_time + 300),
        (exists $a{acr}  ? $a{acr}  : 'pwd'),
        (exists $a{amr}  ? $a{amr}  : 'pwd'),
        (exists $a{bind} ? $a{bind} : '-'),
        $a{txn}, $a{user};
    return mint(%a, version => 'v2', payload_text => $text);
}

# parse_v2(TOKEN) -> the fields of a v2 token, txn included, after checking
# the MAC with secret RAW; undef when the version is not v2, the MAC does
# not match or the txn field is not 22 base64url characters.
sub parse_v2 {
    my ($token, $secret) = @_;
    my ($version, $kid, $payload, $mac) = split /\./, $token, 4;
    return undef unless defined $mac && $version eq 'v2'
        && sign("$version.$kid.$payload", $secret) eq $mac;
    my ($auth_time, $expires, $acr, $amr, $bind, $txn, $user) =
        split /\|/, decode_base64url($payload), 7;
    return undef unless defined $user && $txn =~ /\A[A-Za-z0-9_-]{22}\z/;
    return {
        version => $version, kid => $kid, auth_time => $auth_time,
        expires => $expires, acr => $acr, amr => $amr, bind => $bind,
        txn => $txn, user => $user,
    };
}

1;
