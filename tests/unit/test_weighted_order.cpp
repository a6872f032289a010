#include "zone/model/weighted_order.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace srvd::zone;

TEST_CASE("over all variants, the first place follows the weights") {
    std::vector<int> first(2, 0);
    for (unsigned v = 0; v < shuffle_variants; ++v) ++first[weighted_order({70, 30}, v)[0]];
    CHECK(first[0] == 11); // 69%
    CHECK(first[1] == 5);  // 31%

    std::vector<int> three(3, 0);
    for (unsigned v = 0; v < shuffle_variants; ++v) ++three[weighted_order({50, 25, 25}, v)[0]];
    CHECK(three == std::vector<int>{8, 4, 4});
}

TEST_CASE("every order is a permutation, equal or zero weights share, zero never leads others") {
    for (unsigned v = 0; v < shuffle_variants; ++v) {
        auto o = weighted_order({10, 0, 5, 0}, v);
        auto sorted = o;
        std::sort(sorted.begin(), sorted.end());
        CHECK(sorted == std::vector<std::uint16_t>{0, 1, 2, 3});
        CHECK((o[0] == 0 || o[0] == 2));
    }
    std::vector<int> first(4, 0);
    for (unsigned v = 0; v < shuffle_variants; ++v) ++first[weighted_order({0, 0, 0, 0}, v)[0]];
    CHECK(first == std::vector<int>{4, 4, 4, 4});
}

TEST_CASE("the order for a variant is always the same") {
    CHECK(weighted_order({1, 2, 3, 4}, 7) == weighted_order({1, 2, 3, 4}, 7));
    CHECK(weighted_order({5}, 3) == std::vector<std::uint16_t>{0});
}
