#!/usr/bin/perl
# Writes a small synthetic GeoIP database for demos and tests, with Debian's
# libmaxmind-db-writer-perl.
#
#   make-demo-db.pl OUT.mmdb                 GeoIP2-City layout (the default fields)
#   make-demo-db.pl --layout flat OUT.mmdb   DB-IP City Lite layout as repackaged by
#                                            ip-location-db: country_code, state1,
#                                            latitude, longitude at the top level
#   make-demo-db.pl --random N OUT.mmdb      also N random IPv4 /24 and IPv6 /48
#                                            networks (benchmarks, scale tests)
#
# The fixed networks (loopback, so tests on 127.0.0.0/8 can use them, and
# documentation ranges for ECS):
#   127.0.0.0/24     US-NY New York      -> east
#   127.0.1.0/24     US-CA San Francisco -> west
#   127.0.2.0/24     US-TX Dallas        -> central
#   127.0.3.0/24     CA-ON Toronto       -> no match list fits: nearest (east)
#   127.0.4.0/24     US, no subdivision, no coordinates -> central by country
#   127.0.5.0/25     US-NY  and  127.0.5.128/25 US-CA: a /24 split between regions
#   127.0.6.0/24     US-MA  and  127.0.7.0/24   US-PA: adjacent, both east (merge)
#   127.0.8.0/24     a record without any location fields -> default region
#   192.0.2.0/24     US-CA (west)   198.51.100.0/24 US-NY (east)   203.0.113.0/24 US-TX (central)
#   2001:db8:1::/48  US-NY   2001:db8:2::/48 US-CA   2001:db8:3::/48 US-TX
use strict;
use warnings;
use Getopt::Long;
use MaxMind::DB::Writer::Tree;

my ($layout, $random) = ('city', 0);
GetOptions('layout=s' => \$layout, 'random=i' => \$random) or die "bad options\n";
my $out = shift or die "usage: $0 [--layout city|flat] [--random N] OUT.mmdb\n";
die "layout must be city or flat\n" unless $layout eq 'city' || $layout eq 'flat';

my %places = (
    NY => ['NA', 'US', 'NY', 40.71, -74.01],
    CA => ['NA', 'US', 'CA', 37.77, -122.42],
    TX => ['NA', 'US', 'TX', 32.78, -96.80],
    ON => ['NA', 'CA', 'ON', 43.65, -79.38],
    MA => ['NA', 'US', 'MA', 42.36, -71.06],
    PA => ['NA', 'US', 'PA', 39.95, -75.17],
    WA => ['NA', 'US', 'WA', 47.61, -122.33],
    IL => ['NA', 'US', 'IL', 41.88, -87.63],
    BE => ['EU', 'DE', 'BE', 52.52, 13.40],
    US => ['NA', 'US', undef, undef, undef],
    NONE => [undef, undef, undef, undef, undef],
);

sub record {
    my ($continent, $country, $sub, $lat, $lon) = @{ $places{ $_[0] } };
    my %r;
    if ($layout eq 'city') {
        $r{continent} = { code => $continent } if defined $continent;
        $r{country} = { iso_code => $country } if defined $country;
        $r{subdivisions} = [ { iso_code => $sub } ] if defined $sub;
        $r{location} = { latitude => $lat, longitude => $lon } if defined $lat;
    } else {
        $r{country_code} = $country if defined $country;
        $r{state1} = $sub if defined $sub;
        ($r{latitude}, $r{longitude}) = ($lat, $lon) if defined $lat;
    }
    $r{note} = 'srvd demo' unless %r;   # a record with no location fields
    return \%r;
}

my %types = (
    continent => 'map', country => 'map', location => 'map', subdivisions => ['array', 'map'],
    code => 'utf8_string', iso_code => 'utf8_string', latitude => 'double', longitude => 'double',
    country_code => 'utf8_string', state1 => 'utf8_string', note => 'utf8_string',
);
my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version => 6,
    record_size => 28,
    database_type => $layout eq 'city' ? 'srvd-Demo-City' : 'srvd-Demo-Flat',
    languages => ['en'],
    description => { en => 'srvd synthetic GeoIP database for demos and tests' },
    map_key_type_callback => sub { $types{ $_[0] } },
    remove_reserved_networks => 0,   # we map loopback and documentation ranges on purpose
    alias_ipv6_to_ipv4 => 1,
);

my @fixed = (
    ['127.0.0.0/24', 'NY'], ['127.0.1.0/24', 'CA'], ['127.0.2.0/24', 'TX'], ['127.0.3.0/24', 'ON'],
    ['127.0.4.0/24', 'US'], ['127.0.5.0/25', 'NY'], ['127.0.5.128/25', 'CA'], ['127.0.6.0/24', 'MA'],
    ['127.0.7.0/24', 'PA'], ['127.0.8.0/24', 'NONE'],
    ['192.0.2.0/24', 'CA'], ['198.51.100.0/24', 'NY'], ['203.0.113.0/24', 'TX'],
    ['2001:db8:1::/48', 'NY'], ['2001:db8:2::/48', 'CA'], ['2001:db8:3::/48', 'TX'],
);
$tree->insert_network($_->[0], record($_->[1])) for @fixed;

if ($random > 0) {
    # Deterministic, so a benchmark database is the same on every machine.
    srand(20261126);
    my @keys = qw(NY CA TX ON MA PA WA IL BE US);
    my %seen;
    my $n = 0;
    while ($n < $random) {
        my ($a, $b, $c) = (1 + int(rand(126)), int(rand(256)), int(rand(256)));   # 1.0.0.0 - 126.255.255.0
        my $key = "$a.$b.$c";
        next if $seen{$key}++;
        $tree->insert_network("$key.0/24", record($keys[ $n % @keys ]));
        $n++;
        if ($n % 4 == 0) {
            $tree->insert_network(sprintf('2a00:%x:%x::/48', $a * 256 + $b, $c), record($keys[ ($n / 4) % @keys ]));
        }
    }
}

open my $fh, '>:raw', $out or die "cannot write $out: $!\n";
$tree->write_tree($fh);
close $fh or die "cannot write $out: $!\n";
