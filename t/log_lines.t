# SPDX-License-Identifier: Apache-2.0
# Every log line of the module is tagged and escapes what the client sent:
# a static check of the sources (src/, mod_stepup.c). Each ap_log_*error()
# call's message starts with "STEPUPnnnn: ", and r->user, r->uri,
# r->unparsed_uri and r->args appear only inside ap_escape_logitem(). A
# raw user name or URI lets a client write lines of its own into the log.
# Plain Test::More (no httpd); the sources are found through
# $STEPUP_SOURCE_DIR (scripts/apache-test.sh sets it), else next to t/.
use strict;
use warnings;
use Test::More;
use FindBin;
use File::Find;
use File::Spec;

my $top = $ENV{STEPUP_SOURCE_DIR}
    || File::Spec->catdir($FindBin::Bin, File::Spec->updir);
my @files;
find(sub { push @files, $File::Find::name if /\.c\z/ },
     File::Spec->catdir($top, 'src'));
push @files, File::Spec->catfile($top, 'mod_stepup.c');
@files = sort grep { -f } @files;
ok(@files > 10, 'the module sources are found (' . scalar(@files)
   . " files under $top)");

my ($calls, @untagged, @raw) = (0);
for my $f (@files) {
    open my $fh, '<', $f or die "$f: $!";
    local $/;
    my $text = <$fh>;
    close $fh;
    (my $name = $f) =~ s{^\Q$top\E/?}{};
    # each call up to the ");" that closes it (no call nests a ";")
    while ($text =~ /\b(ap_log_(?:r|c|p)?error)\s*\(([^;]*)\)\s*;/g) {
        my $args = $2;
        my $line = 1 + (substr($text, 0, $-[0]) =~ tr/\n//);
        $calls++;
        # the message: the first string literal(s) after APLOG_MARK's args
        my ($msg) = $args =~ /("(?:[^"\\]|\\.)*")/;
        push @untagged, "$name:$line"
            unless defined $msg && $msg =~ /^"STEPUP\d{4}: /;
        (my $rest = $args) =~ s/ap_escape_logitem\s*\([^()]*\)//g;
        push @raw, "$name:$line"
            if $rest =~ /\br->(?:user|uri|unparsed_uri|args)\b/;
    }
}
cmp_ok($calls, '>', 30, "$calls log calls read");
is(join(', ', @untagged), '', 'every log message starts with STEPUPnnnn:');
is(join(', ', @raw), '',
   'r->user, r->uri, r->unparsed_uri and r->args only escaped');
done_testing();
