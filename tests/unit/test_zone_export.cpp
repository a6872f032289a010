#include "support/test_support.hpp"
#include "zone/model/zone_builder.hpp"
#include "zone/persist/zone_export.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <sstream>

using namespace srvd;

TEST_CASE("export writes a master file ldns reads back, one view per region") {
    test::TempDir dir;
    const auto file = dir.write("zone.yaml", R"(
zone: example.com
soa: { primary: ns1.example.com, contact: hostmaster.example.com, serial: 7 }
nameservers: { ns1: [192.0.2.1] }
media_servers:
  ms1: { addresses: [192.0.2.11] }
  ms2: { addresses: [192.0.2.12] }
regions: { east: {}, west: {} }
default_region: west
proxies:
  p: { targets: { east: [ms1, ms2], west: [ms2, ms1] } }
records: ["www IN A 192.0.2.80"]
)");
    auto zone = zone::build_zone(config::load_zone_policy(file));
    for (std::size_t view : {0, 1}) {
        std::ostringstream out;
        zone::export_zone(*zone, view, out);
        const std::string text = out.str();
        const std::string path = dir.write("export.zone", text);
        FILE* fp = std::fopen(path.c_str(), "r");
        REQUIRE(fp);
        ldns_zone* parsed = nullptr;
        int line = 0;
        CHECK(ldns_zone_new_frm_fp_l(&parsed, fp, nullptr, 0, LDNS_RR_CLASS_IN, &line) ==
              LDNS_STATUS_OK);
        std::fclose(fp);
        REQUIRE(parsed);
        CHECK(ldns_rr_get_type(ldns_zone_soa(parsed)) == LDNS_RR_TYPE_SOA);
        // SOA + NS + ns1 A + 2 media A + www A + 2 NAPTR + 2x2 SRV + proxy A
        CHECK(ldns_rr_list_rr_count(ldns_zone_rrs(parsed)) == 12);
        const std::string first = view == 0 ? "ms1" : "ms2";
        CHECK(text.find("_sip._udp.p.example.com.\t300\tIN\tSRV\t10 0 5060 " + first) !=
              std::string::npos);
        ldns_zone_deep_free(parsed);
    }
}
