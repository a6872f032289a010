#include "flush/resolver_flusher.hpp"

#include "util/log.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <set>

namespace srvd::flush {

namespace asio = boost::asio;

constexpr std::size_t max_batch = 64;

struct ResolverFlusher::Resolver {
    Resolver(asio::io_context& io, config::ResolverTarget t)
        : target(std::move(t)), channel(make_channel(io, target)), timer(io) {}
    const config::ResolverTarget target;
    const std::unique_ptr<Channel> channel;
    asio::steady_timer timer;     // the attempt's timeout, then the wait before a retry
    std::set<FlushItem> pending;  // to flush at the next attempt
    std::vector<FlushItem> batch; // the attempt's
    std::uint32_t failures = 0;   // of this batch so far
    bool busy = false;
    bool abandoned = false;
    // Counted since srvd started (kept across reloads while configured).
    std::uint64_t flushed = 0, failed = 0, retried = 0, names = 0;
    std::string last_error;
    std::chrono::system_clock::time_point last_time{};
    std::chrono::milliseconds last_took{0};
};

void ResolverFlusher::configure(const std::vector<config::ResolverTarget>& targets) {
    std::vector<std::shared_ptr<Resolver>> next;
    for (const auto& t : targets) {
        auto same = std::find_if(resolvers_.begin(), resolvers_.end(),
                                 [&](const auto& r) { return r->target == t; });
        if (same != resolvers_.end()) {
            next.push_back(*same);
            resolvers_.erase(same);
        } else {
            next.push_back(std::make_shared<Resolver>(io_, t));
        }
    }
    abandon(resolvers_); // those left: gone from the configuration, or changed
    resolvers_ = std::move(next);
    enabled_ = !resolvers_.empty();
    // A drain --wait waits for those kept only.
    if (!idle_waiters_.empty() && idle()) run_idle_waiters();
}

void ResolverFlusher::abandon(const std::vector<std::shared_ptr<Resolver>>& resolvers) {
    for (const auto& r : resolvers) {
        r->abandoned = true;
        r->timer.cancel();
        r->channel->abort();
    }
}

void ResolverFlusher::stop() {
    abandon(resolvers_);
    resolvers_.clear();
    enabled_ = false;
    run_idle_waiters();
}

bool ResolverFlusher::idle() const {
    return std::none_of(resolvers_.begin(), resolvers_.end(),
                        [](const auto& r) { return r->busy || !r->pending.empty(); });
}

void ResolverFlusher::when_idle(std::function<void(const std::string&)> then) {
    idle_waiters_.push_back(std::move(then));
    if (idle()) run_idle_waiters();
}

void ResolverFlusher::run_idle_waiters() {
    std::string text;
    for (const auto& r : resolvers_)
        text += "resolver " + r->target.name +
                (r->last_error.empty() ? " ok" : " failed: " + r->last_error) + "\n";
    auto waiters = std::move(idle_waiters_);
    idle_waiters_.clear();
    for (auto& w : waiters) w(text);
}

void ResolverFlusher::flush(const std::vector<FlushItem>& items) {
    if (items.empty()) return;
    for (const auto& r : resolvers_) {
        r->pending.insert(items.begin(), items.end());
        if (!r->busy) start(r);
    }
}

void ResolverFlusher::start(const std::shared_ptr<Resolver>& r) {
    r->busy = true;
    r->failures = 0;
    // At most max_batch names an attempt, so that `timeout` bounds one of
    // them whatever a failure changed (Unbound takes a connection, over
    // TLS ~15 ms, per name); the rest follow as soon as it succeeds.
    auto end = r->pending.begin();
    std::advance(end, std::min(r->pending.size(), max_batch));
    r->batch.assign(r->pending.begin(), end);
    r->pending.erase(r->pending.begin(), end);
    attempt(r);
}

void ResolverFlusher::attempt(const std::shared_ptr<Resolver>& r) {
    const auto began = std::chrono::steady_clock::now();
    r->timer.expires_after(r->target.timeout);
    r->timer.async_wait([r](const boost::system::error_code& error) {
        if (!error) r->channel->abort(); // too slow: its socket closed, it returns
    });
    asio::co_spawn(io_, r->channel->flush(r->batch),
                   [this, r, began](std::exception_ptr thrown, std::string error) {
                       if (thrown) error = "unexpected failure";
                       if (r->abandoned) return;
                       finished(r, error, began);
                   });
}

void ResolverFlusher::finished(const std::shared_ptr<Resolver>& r, const std::string& error,
                               std::chrono::steady_clock::time_point began) {
    r->timer.cancel();
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - began);
    const bool timed_out = took >= r->target.timeout;
    const std::string who =
        "flush: " + r->target.name + " (" + config::resolver_type_name(r->target.type) + ")";
    if (error.empty()) {
        ++r->flushed;
        r->names += r->batch.size();
        r->last_error.clear();
        r->last_time = std::chrono::system_clock::now();
        r->last_took = took;
        log::info(who + ": " + std::to_string(r->batch.size()) + " name(s) flushed in " +
                  std::to_string(took.count()) + " ms");
    } else if (r->failures < r->target.retries) {
        const auto wait = std::chrono::seconds(1) * (1 << std::min<std::uint32_t>(r->failures, 5));
        ++r->failures;
        ++r->retried;
        log::warning(who + ": " + (timed_out ? "timed out" : error) + "; attempt " +
                     std::to_string(r->failures + 1) + " of " +
                     std::to_string(r->target.retries + 1) + " in " + std::to_string(wait.count()) +
                     " s");
        r->timer.expires_after(wait);
        r->timer.async_wait([this, r](const boost::system::error_code& e) {
            if (e || r->abandoned) return;
            attempt(r); // names changed meanwhile wait for the next batch
        });
        return;
    } else {
        ++r->failed;
        r->last_error = timed_out ? "timed out" : error;
        r->last_time = std::chrono::system_clock::now();
        log::error(who + ": gave up after " + std::to_string(r->failures + 1) +
                   " attempt(s): " + r->last_error + "; " + std::to_string(r->batch.size()) +
                   " name(s) stay cached until their TTL");
    }
    r->busy = false;
    if (!r->pending.empty()) start(r);
    if (!idle_waiters_.empty() && idle()) run_idle_waiters();
}

std::vector<std::string> ResolverFlusher::status_lines() const {
    std::vector<std::string> out;
    for (const auto& r : resolvers_) {
        std::string line = r->target.name + " (" + config::resolver_type_name(r->target.type) +
                           "): " + std::to_string(r->flushed) + " flush(es) of " +
                           std::to_string(r->names) + " name(s), " + std::to_string(r->failed) +
                           " failed, " + std::to_string(r->retried) + " retried";
        if (r->busy) line += "; flushing " + std::to_string(r->batch.size()) + " name(s)";
        if (!r->last_error.empty()) line += "; last failure: " + r->last_error;
        out.push_back(std::move(line));
    }
    return out;
}

void ResolverFlusher::write_metrics(metrics::PrometheusText& out) const {
    auto counter = [&](const char* name, const char* help, auto of) {
        out.family(name, "counter", help);
        for (const auto& r : resolvers_)
            out.sample(name, {{"resolver", r->target.name}}, std::uint64_t{of(*r)});
    };
    counter("srvd_resolver_flushes_total",
            "Flushes a resolver confirmed (each covers every name changed since the last).",
            [](const Resolver& r) { return r.flushed; });
    counter("srvd_resolver_flush_failures_total",
            "Flushes given up after every retry: those names stay cached until their TTL.",
            [](const Resolver& r) { return r.failed; });
    counter("srvd_resolver_flush_retries_total", "Flush attempts that failed and were retried.",
            [](const Resolver& r) { return r.retried; });
    counter("srvd_resolver_flushed_names_total", "Names a resolver confirmed dropping.",
            [](const Resolver& r) { return r.names; });
}

} // namespace srvd::flush
