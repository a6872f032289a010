#pragma once
// The address space cut into ranges, each with a value (a region), adjacent
// equal ranges merged. A lookup is one binary search; it also yields the
// widest prefix around the address that lies inside one range: the ECS scope.
// An index on the top 16 bits narrows the search to a few ranges, so a
// lookup costs two or three cache misses instead of one per tree level.
//
// A large IPv4 table (a city database: millions of ranges, megabytes of
// starts and values) also gets a direct map of every /24 to its value and
// scope. ECS queries carry a /24 at most, and under load the kernel's work
// between batches evicts the search arrays: one load from the map is one
// cache miss where the search took three (index, start, value). 32 MiB on
// huge pages, so the miss is not also a TLB miss; /24s cut by a range
// boundary (networks longer than /24) fall back to the search.
#include <sys/mman.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

namespace srvd::geo {

using u128 = unsigned __int128;

struct PrefixHit {
    std::uint16_t value;
    std::uint8_t scope; // prefix length of the widest uniform block around the address
};

template <typename Key, int Width> class PrefixTable {
  public:
    static constexpr Key max_key = static_cast<Key>(~Key(0));

    // Ranges must arrive in address order without overlap; gaps get `fill`.
    class Builder {
      public:
        // `direct_from`: the number of ranges from which an IPv4 table gets
        // its /24 map (smaller tables stay in cache and need none).
        explicit Builder(std::uint16_t fill, std::size_t direct_from = 1 << 16)
            : fill_(fill), direct_from_(direct_from) {}
        void add(Key first, Key last, std::uint16_t value) {
            if (!done_ && first > next_) push(next_, fill_);
            push(first, value);
            done_ = last == max_key;
            next_ = last + 1;
        }
        PrefixTable finish() {
            if (!done_) push(next_, fill_);
            if (t_.starts_.empty()) push(0, fill_);
            t_.starts_.shrink_to_fit();
            t_.values_.shrink_to_fit();
            t_.index_.resize(index_size + 1);
            std::size_t i = 0;
            for (std::size_t k = 0; k <= index_size; ++k) {
                while (i < t_.starts_.size() && (k == index_size || (t_.starts_[i] >> shift) < k))
                    ++i;
                t_.index_[k] = static_cast<std::uint32_t>(i);
            }
            if constexpr (Width == 32)
                if (t_.starts_.size() >= direct_from_) t_.build_direct_map();
            return std::move(t_);
        }

      private:
        void push(Key start, std::uint16_t value) {
            if (!t_.values_.empty() && t_.values_.back() == value) return; // merge
            t_.starts_.push_back(start);
            t_.values_.push_back(value);
        }
        std::uint16_t fill_;
        std::size_t direct_from_;
        Key next_ = 0;
        bool done_ = false;
        PrefixTable t_;
    };

    PrefixHit lookup(Key address) const noexcept {
        if constexpr (Width == 32) {
            if (direct_) {
                const std::uint16_t e = direct_[address >> 8];
                if (e != split_block)
                    return {static_cast<std::uint16_t>(e & value_mask),
                            static_cast<std::uint8_t>(e >> value_bits)};
            }
        }
        return search(address);
    }

    std::size_t ranges() const { return starts_.size(); }
    std::size_t memory() const {
        return starts_.capacity() * sizeof(Key) + values_.capacity() * sizeof(std::uint16_t) +
               index_.capacity() * sizeof(std::uint32_t) +
               (direct_ ? direct_blocks * sizeof(std::uint16_t) : 0);
    }
    bool has_direct_map() const { return direct_ != nullptr; }

    // The binary search alone, without the /24 map (tests compare the two).
    PrefixHit search(Key address) const noexcept {
        // Ranges starting in this address's /16 block are [index_[k], index_[k+1]);
        // the one holding it is the last start at or below it (maybe before the block).
        const std::size_t k = static_cast<std::size_t>(address >> shift);
        const auto it =
            std::upper_bound(starts_.begin() + index_[k], starts_.begin() + index_[k + 1], address);
        const std::size_t i = static_cast<std::size_t>(it - starts_.begin()) - 1;
        const Key first = starts_[i];
        const bool open_end = i + 1 == starts_.size();
        // The block of length L around the address stays inside the range
        // when its top L bits differ from those of the addresses just outside.
        int scope = 0;
        if (first != 0) scope = std::max(scope, common_bits(address, first - 1) + 1);
        if (!open_end) scope = std::max(scope, common_bits(address, starts_[i + 1]) + 1);
        return {values_[i], static_cast<std::uint8_t>(scope)};
    }

  private:
    // A /24's map entry: value in the low 11 bits, scope (at most 24) above.
    static constexpr int value_bits = 11;
    static constexpr std::uint16_t value_mask = (1 << value_bits) - 1;
    static constexpr std::uint16_t split_block = 0xffff; // value 2047 is never stored
    static constexpr std::size_t direct_blocks = std::size_t{1} << 24;
    static constexpr std::size_t huge_page = 2 << 20;

    struct FreeMap {
        void operator()(std::uint16_t* p) const noexcept { std::free(p); }
    };

    void build_direct_map() {
        if (*std::max_element(values_.begin(), values_.end()) >= value_mask) return;
        const std::size_t bytes = direct_blocks * sizeof(std::uint16_t);
        auto* map = static_cast<std::uint16_t*>(std::aligned_alloc(huge_page, bytes));
        if (!map) return; // the search still answers
        ::madvise(map, bytes, MADV_HUGEPAGE);
        direct_.reset(map);
        // Each range gives its value to the /24s it touches; the scope of a
        // whole /24 inside a range depends on its top 24 bits only, so one
        // computation holds for every address in it.
        for (std::size_t i = 0; i < starts_.size(); ++i) {
            const Key first = starts_[i];
            const Key last = i + 1 < starts_.size() ? starts_[i + 1] - 1 : max_key;
            for (std::size_t b = first >> 8; b <= (last >> 8); ++b) {
                const Key a = static_cast<Key>(b << 8);
                int scope = 0;
                if (first != 0) scope = std::max(scope, common_bits(a, first - 1) + 1);
                if (last != max_key) scope = std::max(scope, common_bits(a, last + 1) + 1);
                map[b] = static_cast<std::uint16_t>(values_[i] | scope << value_bits);
            }
        }
        // A range starting inside a /24 cuts it: those take the search.
        for (const Key start : starts_)
            if (start & 0xff) map[start >> 8] = split_block;
    }

    static int common_bits(Key a, Key b) {
        const Key x = a ^ b;
        if constexpr (Width == 128) {
            const auto high = static_cast<std::uint64_t>(x >> 64);
            return high ? std::countl_zero(high)
                        : 64 + std::countl_zero(static_cast<std::uint64_t>(x));
        } else {
            return std::countl_zero(x);
        }
    }

    static constexpr int shift = Width - 16;
    static constexpr std::size_t index_size = 1 << 16;

    std::vector<Key> starts_; // starts_[0] == 0: the table covers everything
    std::vector<std::uint16_t> values_;
    std::vector<std::uint32_t> index_;                 // index_size + 1 entries
    std::unique_ptr<std::uint16_t[], FreeMap> direct_; // IPv4 only, large tables only
};

using PrefixTable4 = PrefixTable<std::uint32_t, 32>;
using PrefixTable6 = PrefixTable<u128, 128>;

// One zone's GeoIP tables: every address to the zone's region.
struct ZoneGeo {
    PrefixTable4 v4;
    PrefixTable6 v6;
};

} // namespace srvd::geo
