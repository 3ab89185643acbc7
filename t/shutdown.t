# SPDX-License-Identifier: Apache-2.0
# httpd stops cleanly with the module's local cache. The shmcb instances
# are kept across restarts outside the configuration's pool, and shmcb's
# own cleanups point into mod_socache_shmcb, which httpd unloads before
# it destroys the process pool: src/httpd/cache.c destroys the instances
# first when the process ends. Without that, every "apachectl stop" (and
# every single-process httpd -X) ended in a segmentation fault.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore plan need_module);
use LWP::UserAgent ();
use POSIX ();
use Test::More import => ['!plan'];
use StepupTest qw(keyfile);
use StepupHandler ();

plan need_module('stepup', 'authz_core', 'socache_shmcb');

my $ua = LWP::UserAgent->new(requests_redirectable => [], timeout => 30);
my $KEYS = keyfile();
my $body = <<EOC;
StepupKeyFile "$KEYS"
<Location /stepup/>
    SetHandler stepup
</Location>
EOC

sub how_it_ended {
    my ($status) = @_;
    return 'killed after 10 s' unless defined $status;
    return 'signal ' . ($status & 127) if $status & 127;
    return 'exit ' . ($status >> 8);
}

# one process (httpd -X): the way the suite's own servers run
my $one = StepupHandler::mini_server([qw(mpm_event authz_core socache_shmcb)],
                                     $body);
ok($one, 'httpd -X with the module and shmcb starts') or diag($@);
SKIP: {
    skip 'no server', 2 unless $one;
    my $res = $ua->get($one->url('/stepup/status'));
    ok($res->code, 'it answers (' . $res->code . ')');
    my $status = $one->stop;
    is(how_it_ended($status), 'exit 0', 'httpd -X stops without crashing');
}

# a whole httpd (parent and children), restarted gracefully twice: the
# instances outlive each generation and go when the parent ends
my $all = StepupHandler::mini_server([qw(mpm_event authz_core socache_shmcb)],
                                     $body, { foreground => 1 });
ok($all, 'httpd -DFOREGROUND with the module and shmcb starts') or diag($@);
SKIP: {
    skip 'no server', 4 unless $all;
    ok($all->graceful && $all->graceful,
       'it answers after two graceful restarts');
    my $res = $ua->get($all->url('/stepup/status'));
    ok($res->code, 'it serves a request after them (' . $res->code . ')');
    my $status = $all->stop;
    is(how_it_ended($status), 'exit 0',
       'the parent stops without crashing');
    unlike($all->error_log, qr/exit signal|Segmentation/,
           'no child died of a signal');
}
done_testing();
