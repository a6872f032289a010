#pragma once
// The thread that makes new snapshots: reloads, answers rebuilt for a
// health change or a drain, signatures renewed. It runs one job at a time,
// in the order they were submitted, so a reload and a health change that
// arrive together are applied one after the other and neither is lost. The
// control thread (probes, `srvd ctl`, /metrics) never waits for it: a job
// hands its result back as a closure posted to the control thread.
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <functional>
#include <future>
#include <thread>

namespace srvd::server {

class ChangeWorker {
  public:
    // `control`: where the jobs' results run.
    explicit ChangeWorker(boost::asio::io_context& control)
        : control_(control), guard_(work_.get_executor()), thread_([this] { work_.run(); }) {}
    ~ChangeWorker() { stop(); }
    ChangeWorker(const ChangeWorker&) = delete;
    ChangeWorker& operator=(const ChangeWorker&) = delete;

    // Runs `job` on the worker; the closure it returns runs on the control
    // thread. A job must not throw (it reports its failure in its result).
    void submit(std::function<std::function<void()>()> job) {
        boost::asio::post(work_,
                          [this, job = std::move(job)] { boost::asio::post(control_, job()); });
    }
    // Runs `job` on the worker and waits for its result (or rethrows what
    // it threw): serve's first load. Every snapshot of a run is then made
    // by this thread, in its malloc arena: a first snapshot made by the
    // main thread, once replaced, left holes in the main arena that the
    // worker's compiles never reused (glibc gives each thread an arena of
    // its own), and each reload of a 500 MiB zone left ~100 MiB more
    // resident.
    template <class Job> auto run(Job job) -> decltype(job()) {
        std::packaged_task<decltype(job())()> task(std::move(job));
        auto result = task.get_future();
        boost::asio::post(work_, [&task] { task(); });
        return result.get();
    }
    // Runs `step` on the worker with no result: background work (the
    // standby's preparation) done in small steps, each posted by the one
    // before, so a job submitted meanwhile waits for one step at most.
    void post(std::function<void()> step) { boost::asio::post(work_, std::move(step)); }
    // Finishes the job under way and drops the queued ones; results already
    // posted still run on the control thread (Control ignores them once
    // stopped).
    void stop() {
        if (!thread_.joinable()) return;
        guard_.reset();
        work_.stop();
        thread_.join();
    }

  private:
    boost::asio::io_context& control_;
    boost::asio::io_context work_{1};
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
    std::thread thread_;
};

} // namespace srvd::server
