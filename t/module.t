# SPDX-License-Identifier: Apache-2.0
# The suite really runs against mod_stepup: the module is loaded (the other
# files skip themselves through need_module when it is not, which would
# otherwise pass silently) and answers a protected location.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore plan done_testing have_module);
use Apache::TestRequest qw(GET);
use StepupTest qw(check basic reset_ua);

check(have_module('stepup') ? 1 : 0, 1,
      'mod_stepup.c is loaded (LoadModule stepup_module in -httpd_conf)');
check(have_module([qw(headers auth_basic authn_file authz_host authz_user)])
      ? 1 : 0, 1,
      'mod_headers, mod_auth_basic, mod_authn_file, mod_authz_host, '
      . 'mod_authz_user are loaded');
check(defined $ENV{STEPUP_MODULE} && -f $ENV{STEPUP_MODULE} ? 1 : 0, 1,
      'STEPUP_MODULE names the built module (set by '
      . 'scripts/apache-test.sh)');

reset_ua();
my $res = GET '/denial/', basic('alice'), Accept => 'application/json';
check(scalar($res->header('WWW-Authenticate')) || '',
      qr/^Bearer error="insufficient_user_authentication"/,
      'a protected location answers with the step-up challenge');

done_testing();
