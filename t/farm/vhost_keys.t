# SPDX-License-Identifier: Apache-2.0
# The connection's kept token (src/httpd/verify.c) across name-based virtual
# hosts: two hosts on one address, each with its own StepupKeyFile whose
# key is named k1 in both. On one kept-alive connection a token that one
# host accepted is verified again in full by the other (and refused), so
# what the connection keeps never crosses key sets. Run by
# scripts/farm-test.sh (one httpd of its own).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib", "$FindBin::Bin/../lib";
use File::Spec::Functions qw(catfile);
use File::Temp qw(tempdir);
use Test::More;
use Farm ();
use StepupTest ();
use KeepAlive ();
use StepupToken qw(mint);

my $u = 'vh';
my $other_line = Farm::keygen('k1');
my $keydir = tempdir(CLEANUP => 1);
my $other_keys = catfile($keydir, 'other.keys');
open my $fh, '>', $other_keys or die "$other_keys: $!";
print $fh "$other_line\n";
close $fh or die "$other_keys: $!";
chmod 0600, $other_keys;
my $farm = Farm::new_farm(cache => 'shmcb', servers => 1,
                          users => { $u => 'vh-pw-82' }, conf => <<EOC);
<VirtualHost *:*>
    ServerName 127.0.0.1
</VirtualHost>
<VirtualHost *:*>
    ServerName other.test
    StepupKeyFile "$other_keys"
</VirtualHost>
EOC
my $s = $farm->{servers}[0];

my $main = Farm::token_for($farm, $u);
my $other = mint(secret => Farm::secret_of($other_line),
                        kid => 'k1', user => $u);
my @as = (StepupTest::basic($u, $Farm::PASSWORDS{$u}),
          Accept => 'application/json');
my $main_host = "127.0.0.1:$s->{port}";
my $other_host = "other.test:$s->{port}";

my $c = KeepAlive::connect($main_host);
sub on {
    my ($host, $token) = @_;
    return KeepAlive::get($c, '/account/', Host => $host, @as,
                          Cookie => "stepup=$token")->{code};
}

is(on($main_host, $main), 200, 'main host, its own k1 token: 200');
is(on($main_host, $main), 200, '... again on the connection: 200');
my $off = Farm::log_offset($s);
is(on($other_host, $main), 401,
   'the other host (another k1) on the same connection, that token: 401');
like(Farm::error_log($s, $off), qr/token refused for \/account\/: bad MAC/,
     '... refused for its MAC');
is(on($other_host, $other), 200, 'the other host, its own k1 token: 200');
is(on($other_host, $other), 200, '... again: 200');
is(on($main_host, $other), 401, 'the main host, the other host\'s token: 401');
is(on($main_host, $main), 200, 'the main host, its token again: 200');
is(on($other_host, $main), 401, '... and the other host still refuses it');
close $c;

done_testing();
