#!/usr/bin/perl
# Generates a benchmark zone policy with N proxies across 4 regions, and the
# matching Knot DNS mod-geoip configuration (the same per-region orderings as
# views), so both servers answer the same questions the same way.
#
#   make-policy.pl N OUT_DIR   writes OUT_DIR/bench.example.yaml, OUT_DIR/knot-geo.conf
#                              and OUT_DIR/names.txt (proxy names, one per line)
#
# Half the proxies are static (one ordering), half GeoIP-aware. Regions carry
# no coordinates, so a client that matches no list gets the default region in
# srvd exactly as Knot falls back to the zone's own records.
use strict;
use warnings;

my ($n, $dir) = @ARGV;
die "usage: $0 N OUT_DIR\n" unless $n && $dir;
my @servers = map { "ms$_" } 1 .. 8;
my %regions = (
    east    => [qw(US;NY US;NJ US;MA US;PA)],
    west    => [qw(US;CA US;WA US;OR)],
    canada  => ['CA;*'],
    central => ['US;*'],
);
my @order = qw(east west canada central);   # match order; central is the default

open my $y, '>', "$dir/bench.example.yaml" or die;
open my $k, '>', "$dir/knot-geo.conf" or die;
open my $names, '>', "$dir/names.txt" or die;
print $y <<'HEAD';
zone: bench.example
ttl: 300
soa: { primary: ns1.bench.example, contact: hostmaster.bench.example, serial: 1 }
nameservers: { ns1: [127.0.0.1] }
regions:
  east:    { match: [US-NY, US-NJ, US-MA, US-PA] }
  west:    { match: [US-CA, US-WA, US-OR] }
  canada:  { match: [CA] }
  central: { match: [US] }
default_region: central
media_servers:
HEAD
for my $i (0 .. $#servers) {
    printf $y "  %s: { addresses: [10.0.%d.%d] }\n", $servers[$i], int($i / 200), $i % 200 + 1;
}
print $y "proxies:\n";

sub rotate { my ($list, $by) = @_; my @l = @$list; push @l, shift @l for 1 .. ($by % @l); return @l }

for my $p (1 .. $n) {
    my $name = "p$p";
    print $names "$name\n";
    my @base = (rotate(\@servers, $p))[0 .. 2];
    if ($p % 2) {
        print $y "  $name: { targets: [$base[0], $base[1], $base[2]] }\n";
        next;
    }
    print $y "  $name:\n    targets:\n";
    my %ordering;
    for my $r (0 .. $#order) {
        # east, west, canada: the three rotations; central: reversed.
        my @o = $order[$r] eq 'central' ? reverse(@base) : rotate(\@base, $r);
        $ordering{ $order[$r] } = \@o;
        printf $y "      %s: [%s]\n", $order[$r], join(', ', @o);
    }
    # Knot: one entry per location and SRV owner; the zone file (srvd export,
    # default view) holds the central ordering for everyone else.
    for my $t (qw(_sip._udp _sip._tcp)) {
        print $k "$t.$name.bench.example:\n";
        for my $r (qw(east west canada)) {
            for my $geo (@{ $regions{$r} }) {
                my @o = @{ $ordering{$r} };
                my @srv = map { sprintf('"%d 0 5060 %s.bench.example."', 10 * ($_ + 1), $o[$_]) } 0 .. $#o;
                print $k "  - geo: \"$geo\"\n    SRV: [ ", join(', ', @srv), " ]\n";
            }
        }
    }
}
close $_ for $y, $k, $names;
