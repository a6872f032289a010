#include "dns/name.hpp"
#include "zone/name_table.hpp"

#include <doctest/doctest.h>

using namespace srvd;

TEST_CASE("NameTable finds every name it holds and nothing else") {
    std::vector<std::string> names;
    for (int i = 0; i < 1000; ++i) names.push_back(*dns::name_from_text("n" + std::to_string(i) + ".example.com."));
    zone::NameTable table(names);
    for (std::uint32_t i = 0; i < names.size(); ++i) {
        auto* p = reinterpret_cast<const std::uint8_t*>(names[i].data());
        CHECK(table.find(p, names[i].size()) == i);
    }
    auto other = *dns::name_from_text("n1000.example.com.");
    CHECK(table.find(reinterpret_cast<const std::uint8_t*>(other.data()), other.size()) ==
          zone::NameTable::not_found);
    zone::NameTable empty;
    CHECK(empty.find(reinterpret_cast<const std::uint8_t*>(other.data()), other.size()) ==
          zone::NameTable::not_found);
}
