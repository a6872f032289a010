#include "dns/name.hpp"
#include "zone/compile/name_table.hpp"

#include <doctest/doctest.h>

using namespace srvd;

TEST_CASE("NameTable finds every name it holds and nothing else") {
    std::vector<std::string> names;
    for (int i = 0; i < 1000; ++i)
        names.push_back(*dns::name_from_text("n" + std::to_string(i) + ".example.com."));
    std::vector<std::uint32_t> values;
    for (std::uint32_t i = 0; i < names.size(); ++i) values.push_back(i * 7);
    zone::NameTable<std::uint32_t> table(std::vector<std::string_view>(names.begin(), names.end()),
                                         values);
    CHECK(table.size() == 1000);
    for (std::uint32_t i = 0; i < names.size(); ++i) {
        auto* p = reinterpret_cast<const std::uint8_t*>(names[i].data());
        const std::uint32_t* v = table.find(p, names[i].size());
        REQUIRE(v);
        CHECK(*v == i * 7);
    }
    auto other = *dns::name_from_text("n1000.example.com.");
    CHECK(table.find(reinterpret_cast<const std::uint8_t*>(other.data()), other.size()) == nullptr);
    zone::NameTable<std::uint32_t> empty;
    CHECK(empty.find(reinterpret_cast<const std::uint8_t*>(other.data()), other.size()) == nullptr);
}
