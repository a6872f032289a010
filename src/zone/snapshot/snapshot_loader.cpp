#include "zone/snapshot/snapshot_loader.hpp"

#include "config/zone_policy.hpp"
#include "dns/name.hpp"
#include "zone/model/health_ordering.hpp"
#include "zone/model/zone_builder.hpp"
#include "zone/persist/catalog.hpp"
#include "zone/persist/serial_store.hpp"

#include <algorithm>
#include <ctime>
#include <optional>

namespace srvd::zone {
namespace {

// Gives `zone` its version for transfers: resolves an automatic serial and
// continues the previous snapshot's journal.
std::shared_ptr<const ZoneTransfer> transfer_of(const std::shared_ptr<ZoneData>& zone,
                                                const config::TransferConfig& config,
                                                std::optional<SerialStore>& store,
                                                const Snapshot* previous, Loaded& out) {
    auto version = make_version(zone);
    if (zone->policy.soa.serial_auto) {
        if (!store) store.emplace(config.state_dir + "/serials");
        version->serial =
            store->serial_for(zone->policy.zone, version->digest, SerialStore::today());
        set_serial(*zone, version->serial);
    }
    sign_version(*version);
    auto t = std::make_shared<ZoneTransfer>();
    t->name = zone->policy.zone;
    t->current = version;
    const ZoneTransfer* before = nullptr;
    if (previous)
        if (auto it = previous->transfers.find(zone->apex); it != previous->transfers.end())
            before = it->second.get();
    if (before) {
        t->journal = before->journal;
        if (before->current->serial != version->serial)
            t->journal.push_back(make_changeset(*before->current, *version));
        while (t->journal.size() > config.ixfr_history) t->journal.erase(t->journal.begin());
    }
    if (!before || before->current->serial != version->serial)
        out.notify.emplace_back(t->name, version->serial);
    return t;
}

// A line for each key whose state differs between the zone as it was and
// as signed again (a Publish, Activate, Inactive or Delete time passed).
void key_events(const ZoneData& before, const ZoneData& after, std::vector<std::string>& out) {
    if (!after.keys) return;
    for (const auto& k : after.keys->keys) {
        const auto was = dnssec::state_at(k.timing, before.key_time);
        const auto now = dnssec::state_at(k.timing, after.key_time);
        if (was != now)
            out.push_back("dnssec: zone " + after.policy.zone + ": " + dnssec::key_text(k) + " " +
                          dnssec::state_name(was) + " -> " + dnssec::state_name(now));
    }
}

// Zones of `previous` a load may keep as they are: their transfer versions
// and serials were made under the same transfer settings.
std::map<std::string, std::shared_ptr<const ZoneData>> keepable(const Snapshot* previous,
                                                                const config::TransferConfig& now) {
    std::map<std::string, std::shared_ptr<const ZoneData>> out;
    if (!previous) return out;
    const config::TransferConfig& then = previous->transfer;
    const bool versions_then = !then.allow.empty() || !then.notify.empty();
    const bool versions_now = !now.allow.empty() || !now.notify.empty();
    if (versions_then != versions_now || then.ixfr_history != now.ixfr_history ||
        then.state_dir != now.state_dir)
        return out;
    for (const auto& z : previous->zones)
        if (!z.data->policy.sources.empty()) out.emplace(z.data->policy.file, z.data);
    return out;
}

// The zone of `previous` named `zone`, if any.
const ZoneData* served_as(const std::string& zone, const Snapshot* previous) {
    if (!previous) return nullptr;
    const auto apex = dns::name_from_text(zone);
    if (!apex) return nullptr;
    const auto was = std::find_if(previous->zones.begin(), previous->zones.end(),
                                  [&](const auto& z) { return z.data->apex == *apex; });
    return was == previous->zones.end() ? nullptr : was->data.get();
}

// What a reload must not do to a zone the previous snapshot serves: turn
// it unsigned by accident (refused: every answer would be bogus while the
// parent's DS stays), or lower its explicit serial (warned: secondaries
// keep the old data).
void check_against_previous(const ZoneData& zone, const ZoneData* was,
                            std::vector<std::string>& warnings) {
    if (!was) return;
    const config::ZonePolicy& p = zone.policy;
    if (was->keys && !zone.keys && !p.dnssec_off)
        throw config::LoadError(
            p.zone_mark,
            "zone " + p.zone +
                " is signed now and this policy has no `dnssec:` section: every "
                "answer would go out unsigned, and validators would fail the whole zone while the "
                "parent holds its DS. If the file was cut short, restore it; to serve the zone "
                "unsigned on purpose (after its DS left the parent, DS TTL ago), write `dnssec: "
                "off`");
    const std::uint32_t before = was->policy.soa.serial, now = p.soa.serial;
    if (!p.soa.serial_auto && !was->policy.soa.serial_auto &&
        static_cast<std::int32_t>(now - before) < 0) // RFC 1982 serial arithmetic
        warnings.push_back(p.file + ": zone " + p.zone + ": soa.serial goes back from " +
                           std::to_string(before) + " to " + std::to_string(now) +
                           ": secondaries will not transfer it (RFC 1982); raise it past " +
                           std::to_string(before));
}

} // namespace

Loaded load_all(const std::string& config_path, const LoadOptions& options) {
    const auto start = std::chrono::steady_clock::now();
    Loaded out;
    out.config = config::load_server_config(config_path);
    const config::TransferConfig& transfer = out.config.transfer;
    auto health = [&](const config::ZonePolicy& p) {
        return options.health ? options.health(p) : std::vector<ServerState>{};
    };
    // A zone whose files and servers' health are as they were is kept whole:
    // with a thousand zones, a reload that changes one rebuilds one.
    auto keep = keepable(options.previous, transfer);
    std::vector<std::shared_ptr<const ZoneData>> all, kept; // all: in the configured order
    std::vector<std::shared_ptr<ZoneData>> zones;           // built by this load
    std::vector<const ZoneData*> adopted; // signed with the served zone's signatures
    config::IncludeCache includes;
    // Every policy is loaded even when one fails, so that one run reports
    // every file's errors.
    config::ErrorList errors;
    for (const auto& file : out.config.zone_files) {
        auto before = keep.find(file);
        if (before != keep.end() && config::sources_unchanged(before->second->policy, &includes) &&
            same_health(before->second->health, health(before->second->policy))) {
            kept.push_back(before->second);
            all.push_back(before->second);
            continue;
        }
        errors.attempt([&] {
            config::ZonePolicy policy = config::load_zone_policy(file, &includes);
            auto states = health(policy);
            const ZoneData* was = served_as(policy.zone, options.previous);
            zones.push_back(
                build_zone(std::move(policy), {.health = std::move(states), .served = was}));
            check_against_previous(*zones.back(), was, out.warnings);
            // Signs only what the reload changed: a signed zone of 50,000
            // names signed whole again took 13 s and twice its memory.
            if (was && adopt_signatures(*zones.back(), *was, std::time(nullptr)))
                adopted.push_back(zones.back().get());
            all.push_back(zones.back());
        });
    }
    errors.throw_if_any();
    if (!transfer.catalog.empty()) {
        std::vector<std::string> members;
        for (const auto& z : all) members.push_back(z->policy.zone);
        zones.push_back(build_zone(catalog_policy(transfer.catalog, members)));
        all.push_back(zones.back());
    }

    // Versions cost a sorted copy of each zone's record list: only made when
    // something will send them (transfers, NOTIFY) or needs their digest.
    const bool versions = !transfer.allow.empty() || !transfer.notify.empty();
    std::optional<SerialStore> store;
    std::map<std::string, std::shared_ptr<const ZoneTransfer>, std::less<>> transfers;
    for (const auto& z : zones)
        if (versions || z->policy.soa.serial_auto)
            transfers[z->apex] = transfer_of(z, transfer, store, options.previous, out);
    for (const auto& z : kept)
        if (auto it = options.previous->transfers.find(z->apex);
            it != options.previous->transfers.end())
            transfers.emplace(z->apex, it->second);
    if (store && store->changed() && options.write_state) store->save();

    SnapshotOptions snapshot_options;
    snapshot_options.udp_payload = out.config.limits.udp_payload;
    snapshot_options.nsid = out.config.nsid;
    if (out.config.geoip) snapshot_options.geoip = &*out.config.geoip;
    snapshot_options.reuse = options.previous;
    auto snapshot = compile_snapshot(std::move(all), snapshot_options);
    for (const ZoneData* z : adopted) drop_unused_signatures(*z);
    snapshot->transfer = transfer;
    snapshot->transfers = std::move(transfers);
    out.snapshot = std::move(snapshot);
    out.load_time = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    return out;
}

bool signs_again(const ZoneData& zone, std::int64_t now, const std::string* force) {
    if (force) return zone.keys && (force->empty() || *force == zone.policy.zone);
    return signatures_due(zone, now);
}

Loaded renew_signatures(const Snapshot& current, const LoadOptions& options, std::int64_t now,
                        const std::string* force) {
    const auto start = std::chrono::steady_clock::now();
    Loaded out;
    std::vector<std::shared_ptr<const ZoneData>> all;
    std::optional<SerialStore> store;
    auto transfers = current.transfers;
    for (const auto& z : current.zones) {
        if (!signs_again(*z.data, now, force)) {
            all.push_back(z.data);
            continue;
        }
        // Due: valid from the start of today. Forced: from now, so that the
        // signatures (and an automatic serial) change even the same day.
        const config::ZonePolicy& p = z.data->policy;
        auto zone = build_zone(p, options.health ? options.health(p) : std::vector<ServerState>{},
                               z.data.get(), force ? now : dnssec::day_start(now), now);
        key_events(*z.data, *zone, out.events);
        // Its transfer version is signed again too, under a new serial when
        // automatic, so that secondaries transfer the new signatures.
        if (auto it = transfers.find(zone->apex); it != transfers.end())
            it->second = transfer_of(zone, current.transfer, store, &current, out);
        all.push_back(std::move(zone));
    }
    if (store && store->changed() && options.write_state) store->save();
    SnapshotOptions o;
    o.recompile_of = &current;
    auto snapshot = compile_snapshot(std::move(all), o);
    snapshot->transfers = std::move(transfers);
    out.snapshot = std::move(snapshot);
    out.load_time = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    return out;
}

} // namespace srvd::zone
