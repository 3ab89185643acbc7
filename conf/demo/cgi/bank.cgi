#!/usr/bin/perl
# SPDX-License-Identifier: Apache-2.0
# The demo's bank: the account page (GET /bank/: the balance, a transfer
# form and the transfers made) and the transfer (POST /bank/transfer). The
# balance and the transfers of each user are kept in a file under the
# demo's directory (bank/USER). A transfer needs the ordinary step-up
# ("Require stepup" in front of it); for $1,000 or more the application
# itself asks for a hardware security key, confirmed for this very
# transfer: it answers the RFC 9470 challenge (acr_values="phrh",
# max_age=0), which mod_stepup turns into its confirm page
# (StepupBackendChallenge On), unless the step-up it received is phrh and
# bound to this request (STEPUP_ACR, STEPUP_TXN).
use strict;
use warnings;
use Fcntl qw(:flock);

my $START = 1248000;       # cents: $12,480.00
my $LARGE = 100000;        # cents: $1,000.00

sub esc { my $s = shift // ''; $s =~ s/([&<>"'])/sprintf '&#%d;', ord $1/ge; $s }

sub dollars {
    my $c = shift;
    my $d = sprintf '%.2f', $c / 100;
    1 while $d =~ s/^(\d+)(\d{3})/$1,$2/;
    return "\$$d";
}

sub page {
    my ($status, $title, $body) = @_;
    print "Status: $status\r\n" if $status;
    print "Content-Type: text/html; charset=utf-8\r\n",
          "Cache-Control: no-store\r\n\r\n";
    print <<"HTML";
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title></head>
<body>
<main>
<h1>$title</h1>
$body
</main>
</body>
</html>
HTML
}

# The user's ledger, locked for the request: [balance, transfers].
sub open_ledger {
    (my $user = $ENV{REMOTE_USER} // 'nobody') =~ s/[^A-Za-z0-9_.-]/_/g;
    my $dir = "$ENV{DOCUMENT_ROOT}/../bank";
    my $file = "$dir/$user";
    open my $fh, '+>>', $file or die "$file: $!";
    flock $fh, LOCK_EX;
    seek $fh, 0, 0;
    my @lines = <$fh>;
    chomp @lines;
    my $balance = @lines ? shift @lines : $START;
    return ($fh, $balance, [ map { [ split /\t/, $_, 3 ] } @lines ]);
}

sub save_ledger {
    my ($fh, $balance, $transfers) = @_;
    truncate $fh, 0;
    print $fh join('', "$balance\n", map { join("\t", @$_) . "\n" } @$transfers);
    close $fh;
}

sub account {
    my ($fh, $balance, $transfers) = open_ledger();
    close $fh;
    my $rows = join '', map {
        '<li>' . esc(scalar gmtime $_->[0]) . ': ' . dollars($_->[1]) . ' to '
            . esc($_->[2]) . "</li>\n"
    } reverse @$transfers;
    $rows = $rows ? "<ul aria-label=\"Transfers\">\n$rows</ul>" : '<p>No transfers yet.</p>';
    page('', 'Your account', <<"HTML");
<p id="balance">Balance: @{[ dollars($balance) ]}</p>
<h2>Transfer money</h2>
<p>Transfers of \$1,000 or more need your hardware security key, once for
each transfer.</p>
<form method="post" action="/bank/transfer">
<p><label for="amount">Amount (\$)</label>
<input id="amount" name="amount" inputmode="decimal" required></p>
<p><label for="to">To</label>
<input id="to" name="to" required></p>
<p><button type="submit">Transfer</button></p>
</form>
<h2>Transfers</h2>
$rows
<p><a href="/bank/card/">Show your card details</a> (needs your security key
each time).</p>
<p><a href="/">Home</a></p>
HTML
}

sub form {
    my $body = '';
    read(STDIN, $body, $ENV{CONTENT_LENGTH} || 0);
    my %f;
    for my $pair (split /&/, $body) {
        my ($k, $v) = map { my $s = $_ // ''; $s =~ tr/+/ /;
                            $s =~ s/%([0-9A-Fa-f]{2})/chr hex $1/ge; $s } split /=/, $pair, 2;
        $f{$k} = $v;
    }
    return %f;
}

sub transfer {
    my %f = form();
    (my $amount = $f{amount} // '') =~ s/[\s,\$]//g;
    my $to = $f{to} // '';
    $to =~ s/[\x00-\x1f\x7f]//g;
    if ($amount !~ /^(\d{1,9})(?:\.(\d{1,2}))?$/ || $to eq '' || length $to > 80) {
        return page('400 Bad Request', 'Transfer not made',
                    '<p>Give an amount in dollars and whom to send it to.</p>'
                    . '<p><a href="/bank/">Back to your account</a></p>');
    }
    my $cents = $1 * 100 + (defined $2 ? substr("${2}0", 0, 2) : 0);
    my $confirmed = ($ENV{STEPUP_ACR} // '') eq 'phrh' && ($ENV{STEPUP_TXN} // '') ne '';
    if ($cents >= $LARGE && !$confirmed) {
        print "Status: 401 Unauthorized\r\n",
              "WWW-Authenticate: Bearer error=\"insufficient_user_authentication\", ",
              "error_description=\"A transfer of \$1,000 or more needs your security key\", ",
              "acr_values=\"phrh\", max_age=0\r\n",
              "Content-Type: text/plain\r\n\r\n",
              "A transfer of \$1,000 or more needs your security key.\n";
        return;
    }
    my ($fh, $balance, $transfers) = open_ledger();
    if ($cents > $balance || $cents == 0) {
        close $fh;
        return page('400 Bad Request', 'Transfer not made',
                    '<p>The amount must be more than $0 and at most your balance, '
                    . dollars($balance) . '.</p><p><a href="/bank/">Back to your account</a></p>');
    }
    $balance -= $cents;
    push @$transfers, [ time, $cents, $to ];
    save_ledger($fh, $balance, $transfers);
    page('', 'Transfer sent', '<p id="result">' . dollars($cents) . ' went to '
         . esc($to) . '.</p><p>Balance: ' . dollars($balance) . '</p>'
         . '<p><a href="/bank/">Back to your account</a></p>');
}

if (($ENV{REQUEST_METHOD} // '') eq 'POST') {
    transfer();
}
else {
    account();
}
