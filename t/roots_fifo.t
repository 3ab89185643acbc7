# SPDX-License-Identifier: Apache-2.0
# A FIFO named in StepupAttestationRoots is refused at start-up with one
# line, at once: opening it for reading would wait for a writer and hang
# httpd's start (the roots are read by the core's file reader, which
# refuses what is not a regular file). "httpd -t" runs on a small
# configuration of its own (StepupTest::configtest). Should the start wait
# on the FIFO after all, a helper process opens it for writing after 20
# seconds, so that the test fails on the time taken instead of hanging.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore plan need_module);
use POSIX qw(mkfifo _exit);
use Fcntl qw(O_WRONLY O_NONBLOCK);
use Time::HiRes qw(time sleep);
use StepupTest qw(check keyfile);

plan tests => 3, need_module('stepup', 'authz_core');

my $fifo = StepupTest::workdir() . '/roots.fifo';
mkfifo($fifo, 0644) or die "mkfifo $fifo: $!";

# The rescuer: after 20 s, a writer for a reader that is still waiting.
my $rescuer = fork;
die "fork: $!" unless defined $rescuer;
if (!$rescuer) {
    sleep 20;
    if (sysopen my $fh, $fifo, O_WRONLY | O_NONBLOCK) {
        close $fh;
    }
    _exit(0);
}

my $keys = keyfile();
my $started = time;
my ($status, @err) = StepupTest::configtest(
    "StepupKeyFile \"$keys\"\n<Location /x/>\n"
    . "  StepupAttestationRoots \"$fifo\"\n</Location>\n");
my $took = time - $started;
kill 'TERM', $rescuer;
waitpid $rescuer, 0;

check($status >= 128 ? 'killed by signal ' . ($status - 128)
      : $status != 0 ? 'refused' : 'exit 0', 'refused',
      'a FIFO as StepupAttestationRoots: httpd -t fails');
my @hits = grep { /StepupAttestationRoots \S*roots\.fifo: not a regular file$/ }
           @err;
check(scalar(@hits), 1, 'one stderr line names the directive, the file and '
      . 'the reason (stderr: ' . join(' / ', @err) . ')');
check($took < 10 ? 'at once' : sprintf('after %.1f s', $took), 'at once',
      'refused at once, not after waiting for a writer');
