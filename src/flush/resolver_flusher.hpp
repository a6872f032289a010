#pragma once
// Drops changed names from the operator's resolvers (`resolvers:`) when a
// health change or a drain changes answers, so phones behind them fail
// over at once instead of after the TTL. Runs on the control thread,
// asynchronously: a resolver that is slow or down never delays answers,
// probes or `srvd ctl`. Per resolver, one attempt at a time, of at most 64
// names, bounded by its timeout and retried (1 s, 2 s, 4 s… apart); names
// that change while an attempt runs wait for the next one, together. Logged, counted, and shown
// in `srvd ctl status` and /metrics.
#include "config/resolver_config.hpp"
#include "flush/channel.hpp"
#include "metrics/prometheus_text.hpp"

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace srvd::flush {

class ResolverFlusher {
  public:
    explicit ResolverFlusher(boost::asio::io_context& io) : io_(io) {}
    ~ResolverFlusher() { stop(); }
    ResolverFlusher(const ResolverFlusher&) = delete;
    ResolverFlusher& operator=(const ResolverFlusher&) = delete;

    // The resolvers to tell (at start and on each reload): one configured
    // as before keeps its counters and its attempt under way; one gone is
    // abandoned.
    void configure(const std::vector<config::ResolverTarget>& targets);
    // Whether any resolver is configured: the change worker computes the
    // changed names only then. Any thread.
    bool enabled() const { return enabled_.load(std::memory_order_relaxed); }
    // Tells every resolver to drop `items`.
    void flush(const std::vector<FlushItem>& items);
    // Abandons every attempt (srvd is stopping).
    void stop();
    // Runs `then` once no resolver has a flush under way or waiting (at
    // once when none has), with a line per resolver: "resolver NAME ok" or
    // "resolver NAME failed: WHY" for its last flush. `srvd ctl drain
    // --wait` waits so.
    void when_idle(std::function<void(const std::string&)> then);

    // `srvd ctl status`: a line per resolver.
    std::vector<std::string> status_lines() const;
    void write_metrics(metrics::PrometheusText& out) const;

  private:
    struct Resolver;
    void start(const std::shared_ptr<Resolver>& r);
    void attempt(const std::shared_ptr<Resolver>& r);
    void finished(const std::shared_ptr<Resolver>& r, const std::string& error,
                  std::chrono::steady_clock::time_point began);

    boost::asio::io_context& io_;
    // Ends their attempts; their results are ignored.
    static void abandon(const std::vector<std::shared_ptr<Resolver>>& resolvers);
    bool idle() const;
    void run_idle_waiters();

    std::vector<std::shared_ptr<Resolver>> resolvers_;
    std::vector<std::function<void(const std::string&)>> idle_waiters_;
    std::atomic<bool> enabled_{false};
};

} // namespace srvd::flush
