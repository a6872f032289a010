#pragma once
// Lowercased wire name → its node, as an open-addressing hash table over one
// flat byte arena: a lookup hashes once, compares bytes, and never allocates.
// The value sits in the slot itself: one cache miss fewer per query.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace srvd::zone {

template <typename Value> class NameTable {
  public:
    // Builds the table at once; `names[i]` maps to `values[i]`. The names
    // are copied into the table's arena.
    explicit NameTable(const std::vector<std::string_view>& names = {},
                       const std::vector<Value>& values = {}) {
        std::size_t bytes = 0;
        for (const auto& n : names) bytes += n.size();
        arena_.reserve(bytes);
        // A load factor of at most 1/2 keeps probe sequences short.
        std::size_t size = 16;
        while (size < names.size() * 2) size *= 2;
        slots_.assign(size, Slot{0, 0, 0, false, Value{}});
        mask_ = size - 1;
        count_ = names.size();
        for (std::uint32_t i = 0; i < names.size(); ++i) {
            const std::string_view n = names[i];
            const std::uint32_t h = hash(reinterpret_cast<const std::uint8_t*>(n.data()), n.size());
            std::size_t at = h & mask_;
            while (slots_[at].used) at = (at + 1) & mask_;
            slots_[at] = Slot{h, static_cast<std::uint32_t>(arena_.size()),
                              static_cast<std::uint8_t>(n.size()), true, values[i]};
            arena_.append(n);
        }
    }

    // Null when the name is not in the table.
    const Value* find(const std::uint8_t* name, std::size_t size) const noexcept {
        const std::uint32_t h = hash(name, size);
        for (std::size_t at = h & mask_;; at = (at + 1) & mask_) {
            const Slot& s = slots_[at];
            if (!s.used) return nullptr;
            if (s.hash == h && s.size == size &&
                std::memcmp(arena_.data() + s.offset, name, size) == 0)
                return &s.value;
        }
    }

    std::size_t size() const { return count_; }

    std::size_t memory() const { return arena_.capacity() + slots_.capacity() * sizeof(Slot); }

  private:
    struct Slot {
        std::uint32_t hash;
        std::uint32_t offset;
        std::uint8_t size;
        bool used;
        Value value;
    };
    // Eight bytes per multiply, then a final mix (splitmix64's constants):
    // byte-at-a-time FNV-1a was a quarter of the engine's time under load,
    // one dependent multiply per byte of a 30-byte name.
    static std::uint32_t hash(const std::uint8_t* p, std::size_t n) noexcept {
        std::uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
        auto mix = [&h](std::uint64_t word) {
            h = (h ^ word) * 0xbf58476d1ce4e5b9ULL;
            h ^= h >> 31;
        };
        for (; n >= 8; p += 8, n -= 8) {
            std::uint64_t word;
            std::memcpy(&word, p, 8);
            mix(word);
        }
        if (n) {
            std::uint64_t word = 0;
            std::memcpy(&word, p, n);
            mix(word);
        }
        h *= 0x94d049bb133111ebULL;
        return static_cast<std::uint32_t>(h ^ (h >> 32));
    }

    std::string arena_;
    std::vector<Slot> slots_;
    std::size_t mask_ = 0;
    std::size_t count_ = 0;
};

} // namespace srvd::zone
