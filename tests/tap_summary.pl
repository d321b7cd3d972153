#!/usr/bin/perl
# Read a TAP stream on standard input with Perl's TAP::Parser (what prove
# uses) and print what it understood: one line of counts, then the message
# of each YAML diagnostic, newlines shown as \n.  check_reports compares
# them with the model, so a report.tap that prove misreads fails there.
use strict;
use warnings;
use TAP::Parser;

my $tap = do { local $/; <STDIN> };
# Test::Harness before 3.48 (Debian 12 has 3.44) refuses "TAP version 14"
# though it reads everything the stream holds: TAP 14 is TAP 13 made precise.
my $downgraded = 0;
if ($TAP::Parser::VERSION < 3.48) {
    $downgraded = $tap =~ s/\ATAP version 14\n/TAP version 13\n/;
}
my $p = TAP::Parser->new({ tap => $tap });
my @messages;
my $bailout = 0;
while (my $r = $p->next) {
    $bailout = 1 if $r->is_bailout;
    next unless $r->is_yaml;
    my $m = $r->data->{message};
    $m = '(none)' unless defined $m;
    $m =~ s/\n/\\n/g;
    push @messages, $m;
}
my @errors = $p->parse_errors;
printf "plan=%s run=%d passed=%d failed=%d todo=%d todo_passed=%d skipped=%d"
    . " bailout=%d errors=%d yaml=%d\n",
    $p->plan, $p->tests_run, scalar($p->passed), scalar($p->failed),
    scalar($p->todo), scalar($p->todo_passed), scalar($p->skipped), $bailout,
    scalar(@errors), scalar(@messages);
print "parse error: $_\n" for @errors;
print "message: $_\n" for @messages;
print STDERR "tap_summary.pl: read as TAP 13 (TAP::Parser $TAP::Parser::VERSION)\n"
    if $downgraded;
