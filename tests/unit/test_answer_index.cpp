// The compile's index of answers by hash: every entry inserted is found
// again, whatever collides with it, and a miss walks to an empty slot.
#include "zone/compile/answer_index.hpp"

#include <doctest/doctest.h>

#include <vector>

using srvd::zone::AnswerIndex;

TEST_CASE("answer index: entries sharing a hash are each found by their own test") {
    AnswerIndex index; // no reserve: grows from empty
    std::vector<std::size_t> hash_of;
    for (std::uint32_t ref = 0; ref < 5000; ++ref) {
        // A tenth share one hash; the rest differ in their low bits only.
        hash_of.push_back(ref % 10 == 0 ? 0xabcdef : ref * 0x9e3779b97f4a7c15ull);
        index.insert(hash_of.back(), ref);
    }
    for (std::uint32_t ref = 0; ref < 5000; ++ref) {
        std::uint32_t found = 0xffffffff;
        CAPTURE(ref);
        CHECK(index.find(
            hash_of[ref], [&](std::uint32_t r) { return r == ref; }, found));
        CHECK(found == ref);
    }
    // A hash present, but no entry passes the test; a hash absent.
    std::uint32_t found = 0;
    CHECK_FALSE(index.find(
        0xabcdef, [](std::uint32_t) { return false; }, found));
    CHECK_FALSE(index.find(
        12345, [](std::uint32_t) { return true; }, found));
    // Only entries of the asked hash are offered to the test.
    std::size_t offered = 0;
    index.find(
        0xabcdef, [&](std::uint32_t r) { return ++offered, r % 10 != 0; }, found);
    CHECK(offered == 500);
}

TEST_CASE("answer index: reserved room, then released") {
    AnswerIndex index;
    index.reserve(100);
    for (std::uint32_t ref = 0; ref < 300; ++ref) index.insert(ref, ref); // past the reserve
    std::uint32_t found = 0;
    CHECK(index.find(
        299, [](std::uint32_t r) { return r == 299; }, found));
    CHECK(found == 299);
    index.release();
    CHECK_FALSE(index.find(
        299, [](std::uint32_t) { return true; }, found));
    index.insert(7, 1); // usable again
    CHECK(index.find(
        7, [](std::uint32_t r) { return r == 1; }, found));
}
