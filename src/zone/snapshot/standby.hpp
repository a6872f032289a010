#pragma once
// Zones built and compiled ahead for a health state that may come next
// (each probed media server that answers, gone down, alone or with another;
// each one down, back; each drained, undrained). A probe's verdict then
// costs the snapshot's assembly, not the compile of every zone
// that lists the server: with a thousand partner zones sharing their media
// servers, that compile is most of a second. The change worker fills the
// standby while it has nothing else to do and takes from it when a rebuild
// asks for exactly a state it prepared; a health rebuild hands what is still
// one change away to the new zone (adopt); a reload or a zone rebuilt
// otherwise makes what was prepared from the old zone useless, and it is
// dropped.
// Never on the packet path.
#include "zone/snapshot/snapshot.hpp"

#include <cstddef>
#include <memory>
#include <unordered_map>
#include <vector>

namespace srvd::zone {

class Standby {
  public:
    // What `zone` (served now) becomes with `states`, if it was prepared.
    const ZoneEntry* find(const ZoneData& zone, const std::vector<ServerState>& states) const;
    // `from` rebuilt with other states (its own, in prepared.data->health).
    void add(std::shared_ptr<const ZoneData> from, ZoneEntry prepared);
    // `now`, a health rebuild of `was` just published, takes over what
    // was prepared from `was` that is one media server away from it (a
    // second failure prepared as a pair, a return), and `was` itself (the
    // return of what changed), within `budget` bytes: the next change needs
    // no compile either. The rest of what was prepared from `was` goes.
    void adopt(const ZoneEntry& was, std::shared_ptr<const ZoneData> now, std::size_t budget);
    // Forgets what was prepared from zones `served` no longer has.
    void keep_only(const Snapshot& served);
    void clear();

    // What was forgotten is freed later, `count` zones at a time (free):
    // freeing thousands of prepared zones takes most of a second, and the
    // change worker must not keep the next health change waiting that long.
    bool has_forgotten() const { return !forgotten_.empty(); }
    void free(std::size_t count);

    std::size_t zones() const { return zones_; }
    std::size_t memory() const { return memory_; }

  private:
    struct Prepared {
        // Held so that its address, the key, cannot be reused by another zone.
        std::shared_ptr<const ZoneData> from;
        ZoneEntry entry;
        std::size_t memory;
    };
    // Counted in (keep) and out (forget, to be freed later) of the standby.
    void keep(std::vector<Prepared>& list, Prepared&& p);
    void forget(Prepared&& p);

    std::unordered_map<const ZoneData*, std::vector<Prepared>> by_zone_;
    std::vector<Prepared> forgotten_;
    std::size_t zones_ = 0;
    std::size_t memory_ = 0;
};

// About what a zone's model and compiled answers take in memory (its
// records as ldns holds them, its views, its answers): what preparing it
// again costs.
std::size_t approximate_memory(const ZoneEntry& zone);

} // namespace srvd::zone
