#pragma once
// A cap on live connections (the control socket's, /metrics'): each
// accepted connection takes a slot and gives it back when its session
// ends, however it ends. One thread (the control thread) uses it.
#include <cstddef>
#include <memory>
#include <optional>

namespace srvd {

class ConnectionSlots {
  public:
    class Slot {
      public:
        explicit Slot(std::shared_ptr<std::size_t> used) : used_(std::move(used)) { ++*used_; }
        Slot(Slot&& o) noexcept = default;
        Slot(const Slot&) = delete;
        Slot& operator=(const Slot&) = delete;
        Slot& operator=(Slot&&) = delete;
        ~Slot() {
            if (used_) --*used_;
        }

      private:
        std::shared_ptr<std::size_t> used_; // outlives the server that made it
    };

    explicit ConnectionSlots(std::size_t max) : max_(max) {}
    // A slot, or nothing when all are taken.
    std::optional<Slot> take() {
        if (*used_ >= max_) return std::nullopt;
        return Slot(used_);
    }
    std::size_t used() const { return *used_; }

  private:
    std::size_t max_;
    std::shared_ptr<std::size_t> used_ = std::make_shared<std::size_t>(0);
};

} // namespace srvd
