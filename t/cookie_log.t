# SPDX-License-Identifier: Apache-2.0
# A step-up cookie sent twice with different values is refused (read as no token) and logged on
# one tagged line, STEPUP0172, the path escaped (ap_escape_logitem): a
# decoded %0A in the path must not start a line of its own in the log.
# (Before, the line had no tag and the raw path; httpd's error log escapes
# control characters itself, so only the tag shows the difference here.)
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore plan done_testing need_module);
use Apache::TestRequest qw(GET);
use StepupTest qw(check basic token);

plan need_module('stepup', 'auth_basic', 'authn_file');

StepupTest::reset_ua();
my $t = token(user => 'alice');
my $t2 = token(user => 'alice', auth_time => time - 20);
my $off = StepupTest::log_offset();
my $res = GET '/token/a%0Ab', basic('alice'), Accept => 'application/json',
    Cookie => "stepup=$t; stepup=$t2";
check($res->code, 401, 'the cookie twice with two valid tokens: 401');
my $log = StepupTest::log_since($off);
my @lines = grep { /submitted cookie/ } split /\n/, $log;
check(scalar(@lines), 1, 'one log line about it');
check($lines[0] || '', qr/\] STEPUP0172: client submitted cookie 'stepup' more than once: \/token\/a\\\\nb$/,
      'tagged STEPUP0172, the path escaped by ap_escape_logitem (a newline '
      . 'as backslash-n, whose backslash the error log escapes again)');
check($log =~ /^b$/m ? 'raw newline' : 'escaped', 'escaped',
      'no line of the log starts with what followed the %0A');

done_testing();
