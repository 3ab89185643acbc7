package KeepAlive;

# SPDX-License-Identifier: Apache-2.0
# Requests over one kept-alive HTTP/1.1 connection, for the tests of what
# the module keeps per connection (t/token_connection.t,
# t/farm/vhost_keys.t). LWP may or may not reuse a connection; here every
# request of a block goes over the same socket, and a server that closed
# it leaves the next request without an answer.
#   my $s = KeepAlive::connect('127.0.0.1:8529');
#   my $r = KeepAlive::get($s, '/path', Header => 'value', ...);
#   $r->{code}, $r->{headers}{lc name}, $r->{body}
# A Host header among the headers replaces the default (the address).

use strict;
use warnings;

use IO::Socket::INET ();

sub connect {
    my ($hostport) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => $hostport, Timeout => 10)
        or die "connect $hostport: $!";
    ${*$s}{keepalive_host} = $hostport;
    return $s;
}

sub get {
    my ($s, $path, @headers) = @_;
    my $host = ${*$s}{keepalive_host};
    my $lines = '';
    while (my ($k, $v) = splice @headers, 0, 2) {
        if (lc $k eq 'host') { $host = $v; next }
        $lines .= "$k: $v\r\n";
    }
    print $s "GET $path HTTP/1.1\r\nHost: $host\r\n$lines\r\n"
        or return { code => 'no answer' };
    my $head = '';
    while ($head !~ /\r\n\r\n/) {
        my $n = sysread $s, my $buf, 4096;
        return { code => 'no answer' } unless $n;
        $head .= $buf;
    }
    my ($h, $body) = split /\r\n\r\n/, $head, 2;
    my ($code) = $h =~ m{^HTTP/1\.1 (\d{3})};
    my %hdr;
    for my $line (split /\r\n/, $h) {
        $hdr{lc $1} = $2 if $line =~ /^([^:]+):\s*(.*)$/;
    }
    my $len = $hdr{'content-length'} || 0;
    while (length $body < $len) {
        my $n = sysread $s, my $buf, $len - length $body;
        last unless $n;
        $body .= $buf;
    }
    return { code => $code, headers => \%hdr, body => $body };
}

1;
