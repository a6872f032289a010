// The snapshot: zones' compiled answers joined into one answer table, with
// the GeoIP index and the transfer settings beside it.
#include "zone/snapshot/snapshot.hpp"
#include "dns/name.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>
#include <unordered_set>

namespace srvd::zone {

const ZoneData* Snapshot::find_zone(std::string_view name_text) const {
    auto wire = dns::name_from_text(name_text);
    if (!wire) return nullptr;
    auto it = zone_index.find(dns::lowercase(*wire));
    return it == zone_index.end() ? nullptr : zones[it->second].data.get();
}

std::size_t Snapshot::distinct_answers() const {
    std::size_t n = 0;
    for (const auto& z : zones) n += z.compiled->distinct_answers;
    return n;
}

std::size_t Snapshot::memory() const {
    std::size_t m = names.memory() + entries.capacity() * sizeof(TypeEntry);
    for (const auto& z : zones) m += z.compiled->memory();
    return m;
}

namespace {

// Each zone's compiled answers: those of the snapshot reused, or compiled
// ahead, when the zone is the same object; else compiled now, sharing the
// answers it has in common with the zone of the same name compiled before.
std::vector<std::shared_ptr<const CompiledZone>>
compiled_answers(const std::vector<std::shared_ptr<const ZoneData>>& zones,
                 const SnapshotOptions& options) {
    const Snapshot* reuse = options.recompile_of ? options.recompile_of : options.reuse;
    std::unordered_map<const ZoneData*, std::shared_ptr<const CompiledZone>> before;
    std::unordered_map<std::string_view, const CompiledZone*> by_apex;
    if (reuse)
        for (const auto& z : reuse->zones) {
            before.emplace(z.data.get(), z.compiled);
            by_apex.emplace(z.data->apex, z.compiled.get());
        }
    if (options.compiled_ahead)
        for (const auto& z : *options.compiled_ahead) before.emplace(z.data.get(), z.compiled);
    std::vector<std::shared_ptr<const CompiledZone>> out;
    out.reserve(zones.size());
    for (const auto& z : zones) {
        if (auto it = before.find(z.get()); it != before.end()) {
            out.push_back(it->second);
            continue;
        }
        const auto previous = by_apex.find(z->apex);
        out.push_back(compile_zone(*z, previous != by_apex.end() ? previous->second : nullptr));
    }
    return out;
}

} // namespace

std::shared_ptr<Snapshot> compile_snapshot(std::vector<std::shared_ptr<const ZoneData>> zones,
                                           const SnapshotOptions& options) {
    // Deeper zones first, so a child zone served here owns its apex name
    // rather than the parent's delegation.
    std::stable_sort(zones.begin(), zones.end(), [](const auto& a, const auto& b) {
        return dns::label_count(a->apex) > dns::label_count(b->apex);
    });
    auto s = std::make_shared<Snapshot>();
    for (std::size_t i = 0; i < zones.size(); ++i) {
        auto [it, fresh] = s->zone_index.emplace(zones[i]->apex, i);
        if (!fresh)
            throw config::LoadError(zones[i]->policy.zone_mark, "zone " + zones[i]->policy.zone +
                                                                    " is already loaded from " +
                                                                    zones[it->second]->policy.file);
    }
    s->udp_payload = options.udp_payload;
    s->nsid = options.nsid;
    // Views of the compiled zones' names (kept alive by s->zones), and
    // every array sized once: a health change assembles a snapshot of
    // thousands of zones, and on a host that has just handed its free
    // memory back, growing these was most of its time.
    std::vector<std::string_view> names;
    std::vector<Node> nodes;
    std::size_t total = 0;
    for (const auto& z : zones) total += z->views.front().nodes.size();
    names.reserve(total);
    nodes.reserve(total);
    s->zones.reserve(zones.size());
    s->arrays.reserve(zones.size());
    std::unordered_set<std::string_view> taken(total);
    auto compiled_zones = compiled_answers(zones, options);
    std::size_t entries = 0;
    for (const auto& c : compiled_zones) entries += c->entries.size();
    s->entries.reserve(entries);
    for (std::uint32_t i = 0; i < zones.size(); ++i) {
        auto& compiled = compiled_zones[i];
        for (std::size_t n = 0; n < compiled->names.size(); ++n) {
            const std::string_view name = compiled->names[n];
            if (!taken.insert(name).second) continue; // a deeper zone already owns the name
            names.push_back(name);
            Node node = compiled->nodes[n];
            node.exact_begin += static_cast<std::uint32_t>(s->entries.size());
            node.below_begin += static_cast<std::uint32_t>(s->entries.size());
            node.zone = i;
            nodes.push_back(node);
        }
        s->entries.insert(s->entries.end(), compiled->entries.begin(), compiled->entries.end());
        s->arrays.push_back({compiled->slots.data(), compiled->bytes->data(), compiled->cuts.data(),
                             compiled->patches.data(),
                             static_cast<std::uint16_t>(zones[i]->policy.default_view()), nullptr,
                             compiled->denial.get()});
        s->zones.push_back({zones[i], std::move(compiled)});
    }
    s->names = NameTable<Node>(names, nodes);
    if (const Snapshot* before = options.recompile_of) {
        s->udp_payload = before->udp_payload;
        s->nsid = before->nsid;
        s->geo = before->geo;
        s->transfer = before->transfer;
        s->transfers = before->transfers;
    } else if (options.geoip) {
        std::vector<const config::ZonePolicy*> policies;
        for (const auto& z : zones) policies.push_back(&z->policy);
        s->geo = geo::compile_geo(*options.geoip, policies,
                                  options.reuse ? options.reuse->geo.get() : nullptr);
    }
    if (s->geo) {
        s->ecs = {true, s->geo->config.ecs, s->geo->config.ecs_private_use};
        for (std::size_t i = 0; i < s->arrays.size(); ++i)
            s->arrays[i].geo = s->geo->zones[i].get();
    }
    return s;
}

} // namespace srvd::zone
