# SPDX-License-Identifier: Apache-2.0
# The farm with StepupCache memcache: and DBDriver pgsql: two httpd servers
# with one key file; password on A opens B; registration begun on A finishes
# on B; an assertion begun on B finishes on A, its replay on B is refused;
# throttling counts across both; two simultaneous finishes of one assertion
# are never both accepted. Run by scripts/farm-test.sh.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib", "$FindBin::Bin/../lib";
use Test::More;
use Farm ();
use FarmScenario ();

FarmScenario::run(Farm::memcache_spec(), 'm');
done_testing();
