#!/usr/bin/perl
# SPDX-License-Identifier: Apache-2.0
# The demo's "change your e-mail address" application: behind
# "Require stepup max-age=0", it receives the form once the user has
# confirmed (the module kept the form while they did) and answers with the
# address it was sent.
use strict;
use warnings;

my $body = '';
read(STDIN, $body, $ENV{CONTENT_LENGTH} || 0) if ($ENV{REQUEST_METHOD} || '') eq 'POST';
my %form;
for my $pair (split /&/, $body) {
    my ($k, $v) = map { my $s = $_ // ''; $s =~ tr/+/ /;
                        $s =~ s/%([0-9A-Fa-f]{2})/chr hex $1/ge; $s } split /=/, $pair, 2;
    $form{$k} = $v;
}
my $email = $form{email} // '';
$email =~ s/([&<>"'])/sprintf '&#%d;', ord $1/ge;
my $user = $ENV{STEPUP_USER} // '';
$user =~ s/([&<>"'])/sprintf '&#%d;', ord $1/ge;
print "Content-Type: text/html; charset=utf-8\r\n\r\n";
print <<"HTML";
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>E-mail address changed</title></head>
<body>
<h1>E-mail address changed</h1>
<p id="result">$user, your e-mail address is now <strong>$email</strong>.</p>
<p><a href="/profile/">Back to your profile</a></p>
</body>
</html>
HTML
