// A replaced snapshot is freed by collect() once no worker holds it, never
// by the worker that lets go of it last.
#include "zone/snapshot/snapshot_holder.hpp"

#include <doctest/doctest.h>

using namespace srvd;

TEST_CASE("snapshot holder: a replaced snapshot is freed by collect, once no worker holds it") {
    zone::SnapshotHolder holder;
    auto first = std::make_shared<zone::Snapshot>();
    std::weak_ptr<const zone::Snapshot> watch = first;
    holder.publish(std::move(first));
    // A worker takes the first snapshot.
    std::shared_ptr<const zone::Snapshot> worker;
    std::uint64_t seen = 0;
    REQUIRE(holder.refresh(worker, seen));
    CHECK(worker == watch.lock());

    holder.publish(std::make_shared<zone::Snapshot>());
    CHECK(holder.has_retired());
    CHECK(holder.collect() == 0); // the worker still answers from it
    CHECK_FALSE(watch.expired());

    // The worker moves on: its reference goes, but the snapshot is not
    // freed there; collect frees it.
    REQUIRE(holder.refresh(worker, seen));
    CHECK(worker != watch.lock());
    CHECK_FALSE(watch.expired());
    CHECK(holder.collect() == 1);
    CHECK(watch.expired());
    CHECK_FALSE(holder.has_retired());
    CHECK_FALSE(holder.refresh(worker, seen)); // nothing new
}
