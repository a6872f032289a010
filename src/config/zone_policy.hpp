#pragma once
// A zone policy file, validated into plain structs (DESIGN §3). Names are kept
// as written; the zone compiler turns them into wire format.
#include "config/load_error.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace srvd::config {

enum class Transport : std::uint8_t { udp, tcp, tls };
inline const char* transport_name(Transport t) {
    return t == Transport::udp ? "udp" : t == Transport::tcp ? "tcp" : "tls";
}

struct Ports {
    std::uint16_t udp = 5060;
    std::uint16_t tcp = 5060;
    std::uint16_t tls = 5061;
    std::uint16_t of(Transport t) const {
        return t == Transport::udp ? udp : t == Transport::tcp ? tcp : tls;
    }
};

struct GeoPoint {
    double latitude = 0;
    double longitude = 0;
};

struct MediaServer {
    std::string label; // relative to the zone
    std::vector<std::string> addresses;
    std::optional<GeoPoint> location;
    Ports ports;
    std::optional<std::string> probe_address;
    // The ports its probes use: its published ports unless `probe_ports:`
    // names others (a health endpoint beside the service).
    Ports probe_ports;
    // The transports it is probed over when not its zone's (`probe_transport:`).
    std::vector<Transport> probe_transports;
    // The name a TLS probe sends (SNI) and checks the certificate against:
    // its name in the zone unless `tls_name:` (a platform's own name, which
    // zones sharing the server then share one probe by).
    std::optional<std::string> tls_name;
    // Where its load is read (health.load): an HTTP URL answering a number.
    std::string load_url;
    SourceMark mark;
};

struct TierMember {
    std::size_t server; // index into ZonePolicy::media_servers
    std::uint16_t weight;
};
using Tier = std::vector<TierMember>;
using Ordering = std::vector<Tier>; // tiers in priority order

struct Proxy {
    std::string label;
    std::vector<Transport> transports;
    std::uint32_t ttl = 0;  // its own, else health.answer_ttl or the zone's (resolved at load)
    bool ttl_given = false; // its own `ttl:`, which health.answer_ttl leaves alone
    bool geo = false;       // targets given per region
    // One ordering per region (index as ZonePolicy::regions); a region missing
    // from the policy's map holds the default region's ordering. Zones without
    // regions have exactly one.
    std::vector<Ordering> orderings;
    // Per region, whether `targets` gave it an ordering (geo proxies only).
    std::vector<bool> region_given;
    SourceMark mark;
};

struct Region {
    std::string name;
    std::vector<std::string> match; // upper-cased: continent, country or COUNTRY-SUB
    std::optional<GeoPoint> location;
    SourceMark mark;
};

struct NameServer {
    std::string name; // relative label, or absolute with a trailing dot
    std::vector<std::string> addresses;
    SourceMark mark;
};

struct RecordLine {
    std::string text;
    SourceMark mark;
};

// health.load: weights inside a tier follow each media server's load, read
// as a number from 0 (idle) to 100 (full) from its `load_url:` or from a
// header of its OPTIONS replies (DESIGN 6).
struct LoadConfig {
    std::string header;              // e.g. X-Load; empty: load_url only
    std::uint16_t min_weight = 1;    // at full load
    std::uint16_t max_weight = 100;  // idle
    std::uint32_t every_ms = 30'000; // a weight changes at most this often
    std::uint16_t hysteresis = 10;   // and only by more than this
    double smoothing = 0.3;          // a new reading's share of the running average
    SourceMark mark;
};

// SIP OPTIONS or TCP-connect health checks of the media servers (DESIGN §6).
struct HealthConfig {
    enum class Probe : std::uint8_t { sip_options, tcp_connect } probe = Probe::sip_options;
    // Each media server is probed over each of these, and each transport's
    // SRV set follows its own probe (DESIGN 6: up over UDP and down over TLS
    // leaves `_sips._tcp` only). A transport a proxy publishes that no probe
    // covers, and the proxy's A/AAAA, follow the first. tcp-connect: tcp or tls.
    std::vector<Transport> transports{Transport::udp};
    // OPTIONS over TLS checks the certificate against this CA file, and the
    // name in it against the media server's (its SNI); empty: no check.
    std::string tls_ca_file;
    std::uint32_t interval_ms = 2000;
    std::uint32_t timeout_ms = 1000;
    std::uint32_t down_after = 2; // consecutive failures before a server leaves answers
    std::uint32_t up_after = 2;   // consecutive successes before it comes back
    std::vector<std::pair<int, int>> ok_codes{{200, 299}};
    bool serve_all_when_all_down = true; // all_down: serve-all | serve-none
    // The TTL of the answers health changes (SRV, NAPTR, proxy A/AAAA) of
    // proxies without a `ttl:` of their own: a cache keeps a dead server at
    // most this long. 10 s by default (the zone's `ttl:` if lower): the
    // failover rig (issue #28) saw phones behind Unbound register elsewhere
    // after a median of 13.6 s at TTL 10 against 37.3 s at TTL 30, and TTL 2
    // gained little more for five times the resolver queries.
    std::uint32_t answer_ttl = 10;
    // `srvd check` warns when a zone's worst-case DNS convergence exceeds
    // this (0: no limit).
    std::uint32_t converge_within_ms = 0;
    std::optional<LoadConfig> load;
    SourceMark mark;

    const std::vector<Transport>& transports_of(const MediaServer& server) const {
        return server.probe_transports.empty() ? transports : server.probe_transports;
    }
};

struct Soa {
    std::string primary, contact;
    std::uint32_t serial, refresh, retry, expire, minimum;
    bool serial_auto = false; // `serial: auto`: srvd bumps it when the content changes
};

// dnssec: online signing (DESIGN.md section 11).
struct DnssecPolicy {
    // Key files (BIND format), resolved against the policy's directory;
    // each with where it was named, for errors.
    struct Key {
        std::string path;
        SourceMark mark;
    };
    std::vector<Key> keys;
    SourceMark keys_mark;
    // RRSIG validity: from the start of the day (an hour earlier) to this far ahead
    // (Knot's rrsig-lifetime). Renewed before then by a reload.
    std::uint32_t rrsig_lifetime_days = 14;
    // For checking a key schedule (timing metadata): how long a change takes
    // to reach every secondary and cache beyond its TTL (Knot's
    // propagation-delay), and how long the parent takes to publish a new DS.
    std::int64_t propagation_delay = 3600, parent_delay = 86400;
};

struct ZonePolicy {
    std::string file;
    std::string zone; // fully qualified, trailing dot
    std::uint32_t ttl = 300;
    Soa soa;
    std::vector<NameServer> nameservers;
    Ports ports;
    std::vector<MediaServer> media_servers;
    std::vector<Region> regions;
    std::size_t default_region = 0;
    std::vector<Proxy> proxies;
    std::vector<RecordLine> records;
    std::optional<HealthConfig> health;
    std::optional<DnssecPolicy> dnssec;
    // `dnssec: off`: unsigned on purpose. A reload may turn a signed zone
    // unsigned only so: a policy that merely lost its `dnssec:` section (a
    // file cut short) must not make every answer bogus.
    bool dnssec_off = false;
    SourceMark zone_mark;
    // The files it was read from (itself, then its includes) with a digest
    // of each one's bytes: a reload keeps a zone whose files are unchanged.
    struct Source {
        std::string path;
        std::uint64_t digest;
    };
    std::vector<Source> sources;

    std::size_t view_count() const { return regions.empty() ? 1 : regions.size(); }
    // The view served to a client in no region, and by `export` without --region.
    std::size_t default_view() const { return regions.empty() ? 0 : default_region; }
};

// Files already read during one load: a thousand partner zones that include
// one platform file parse it (or, on a reload, hash it) once.
class IncludeCache {
  public:
    IncludeCache();
    ~IncludeCache();
    std::size_t size() const; // files read so far
    struct Files;
    std::unique_ptr<Files> files;
};

// Reads and validates one zone policy file; throws LoadError.
ZonePolicy load_zone_policy(const std::string& path, IncludeCache* cache = nullptr);

// Whether every file `policy` was read from still holds the same bytes
// (false if one cannot be read): then reading it again gives the same policy.
bool sources_unchanged(const ZonePolicy& policy, IncludeCache* cache = nullptr);

// With health checks, how long a dead media server may still reach a phone
// through a cache, at worst: the probes' verdict (interval x down_after +
// timeout), then the longest TTL of an answer health changes (every proxy's
// SRV, NAPTR and A/AAAA, and its negative answers, which never outlive it).
// Milliseconds; 0 without health checks.
std::uint64_t dns_convergence_ms(const ZonePolicy& zone);

// The regions a GeoIP proxy's targets leave out ("west, canada"; empty for
// none): their clients get the default region's ordering.
std::string regions_left_out(const ZonePolicy& zone, const Proxy& proxy);

} // namespace srvd::config
