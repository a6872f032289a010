#include "zone/snapshot/standby.hpp"

#include "zone/model/health_ordering.hpp"

#include <algorithm>
#include <unordered_set>

namespace srvd::zone {

const ZoneEntry* Standby::find(const ZoneData& zone, const std::vector<ServerState>& states) const {
    auto it = by_zone_.find(&zone);
    if (it == by_zone_.end()) return nullptr;
    for (const Prepared& p : it->second)
        if (same_health(p.entry.data->health, states)) return &p.entry;
    return nullptr;
}

void Standby::add(std::shared_ptr<const ZoneData> from, ZoneEntry prepared) {
    const std::size_t size = approximate_memory(prepared);
    auto& list = by_zone_[from.get()];
    keep(list, {std::move(from), std::move(prepared), size});
}

namespace {

// How many media servers two health vectors disagree on (a missing entry is up).
std::size_t servers_apart(const std::vector<ServerState>& a, const std::vector<ServerState>& b) {
    std::size_t apart = 0;
    for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i)
        apart += (i < a.size() ? a[i] : ServerState()) != (i < b.size() ? b[i] : ServerState());
    return apart;
}

} // namespace

void Standby::adopt(const ZoneEntry& was, std::shared_ptr<const ZoneData> now, std::size_t budget) {
    std::vector<Prepared> kept;
    if (auto it = by_zone_.find(was.data.get()); it != by_zone_.end()) {
        for (Prepared& p : it->second) {
            if (servers_apart(p.entry.data->health, now->health) == 1) {
                p.from = now;
                kept.push_back(std::move(p));
            } else {
                forget(std::move(p));
            }
        }
        by_zone_.erase(it);
    }
    auto& list = by_zone_[now.get()];
    for (Prepared& p : kept) list.push_back(std::move(p));
    if (servers_apart(was.data->health, now->health) == 1 && !find(*now, was.data->health)) {
        const std::size_t size = approximate_memory(was);
        if (memory_ + size <= budget) keep(list, {now, was, size});
    }
    if (list.empty()) by_zone_.erase(now.get());
}

void Standby::keep_only(const Snapshot& served) {
    std::unordered_set<const ZoneData*> live;
    for (const auto& z : served.zones) live.insert(z.data.get());
    for (auto it = by_zone_.begin(); it != by_zone_.end();) {
        if (live.count(it->first)) {
            ++it;
            continue;
        }
        for (Prepared& p : it->second) forget(std::move(p));
        it = by_zone_.erase(it);
    }
}

void Standby::clear() {
    for (auto& [zone, list] : by_zone_)
        for (Prepared& p : list) forget(std::move(p));
    by_zone_.clear();
}

void Standby::keep(std::vector<Prepared>& list, Prepared&& p) {
    ++zones_;
    memory_ += p.memory;
    list.push_back(std::move(p));
}

void Standby::forget(Prepared&& p) {
    --zones_;
    memory_ -= p.memory;
    forgotten_.push_back(std::move(p));
}

void Standby::free(std::size_t count) {
    forgotten_.erase(forgotten_.end() -
                         static_cast<std::ptrdiff_t>(std::min(count, forgotten_.size())),
                     forgotten_.end());
}

std::size_t approximate_memory(const ZoneEntry& zone) {
    // Each allocation as glibc makes it: 16 bytes of header, 32 at least.
    const auto block = [](std::size_t n) { return std::max<std::size_t>(32, n + 16); };
    // An ldns field: its struct and its data, each allocated apart.
    const auto field = [&](const ldns_rdf* f) { return block(24) + block(ldns_rdf_size(f)); };
    const ZoneData& data = *zone.data;
    std::size_t bytes = data.storage.capacity() * sizeof(dns::RrShared);
    for (const auto& rr : data.storage) {
        bytes += block(24); // shared_ptr's control block
        // Shared with the served zone (build_zone's `served`): not ours.
        if (rr.use_count() > 1) continue;
        const std::size_t fields = ldns_rr_rd_count(rr.get());
        bytes += block(48) + block(8 * fields) + field(ldns_rr_owner(rr.get()));
        for (std::size_t i = 0; i < fields; ++i) bytes += field(ldns_rr_rdf(rr.get(), i));
    }
    // A view's node: its map node, its name when too long to sit inside,
    // each RRset's records.
    for (const auto& view : data.views)
        for (const auto& [name, node] : view.nodes) {
            bytes += block(88) + (name.size() > 15 ? block(name.capacity() + 1) : 0) +
                     (node.rrsets.empty() ? 0 : block(node.rrsets.capacity() * sizeof(RRset)));
            for (const auto& set : node.rrsets) bytes += block(set.rrs.capacity() * 8);
        }
    bytes += data.tier_tags.size() * (block(32) + 8);
    for (const auto& owner : data.regional_owners) bytes += block(32) + 8 + block(owner.size());
    return bytes + zone.compiled->memory();
}

} // namespace srvd::zone
