// libFuzzer target: arbitrary bytes as a zone policy file. Loading must end
// in a snapshot or a LoadError (file:line:column) — any other exception, a
// crash or a sanitizer report is a bug.
#include "config/zone_policy.hpp"
#include "zone/model/zone_builder.hpp"
#include "zone/snapshot/snapshot.hpp"

#include <unistd.h>

#include <cstdio>
#include <string>

using namespace srvd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // Bounded like a real policy would be, so one input cannot take minutes.
    if (size > 16384) return 0;
    static const std::string path = "/tmp/srvd-fuzz-policy-" + std::to_string(::getpid()) + ".yaml";
    if (FILE* f = std::fopen(path.c_str(), "wb")) {
        std::fwrite(data, 1, size, f);
        std::fclose(f);
    }
    try {
        auto zone = zone::build_zone(config::load_zone_policy(path));
        zone::compile_snapshot({zone});
    } catch (const config::LoadError&) {
    }
    return 0;
}
