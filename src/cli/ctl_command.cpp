// `srvd ctl`: a command to the running server over its control socket.
#include "cli/commands.hpp"
#include "config/load_error.hpp"
#include "config/server_config.hpp"
#include "server/control_client.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <thread>

namespace srvd::cli {
namespace {

// drain --wait: counts down to the time the server gave ("caches clear at
// ISO (unix N)"), on the terminal each second, otherwise every 10 s, so a
// maintenance script simply waits for the command.
void wait_for_caches(const std::string& reply, const std::string& server) {
    const auto at = reply.find("(unix ");
    if (at == std::string::npos) return;
    const std::time_t clear = std::strtoll(reply.c_str() + at + 6, nullptr, 10);
    const bool terminal = ::isatty(STDERR_FILENO);
    for (std::time_t now = std::time(nullptr); now < clear; now = std::time(nullptr)) {
        const auto left = clear - now;
        if (terminal)
            std::cerr << "\rcaches clear in " << left << " s  " << std::flush;
        else if (left % 10 == 0)
            std::cerr << "caches clear in " << left << " s\n";
        std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    if (terminal) std::cerr << "\r";
    std::cout << "caches clear: no answer srvd gave lists " << server
              << " any more; it may stop (answer 503 first, then stop it)\n";
}

} // namespace

int ctl_command(const Args& args) {
    std::string config, socket;
    std::vector<std::string> words;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string& a = args[i];
        if ((a == "-c" || a == "--config" || a == "-s" || a == "--socket") && words.empty()) {
            if (i + 1 >= args.size()) {
                std::cerr << "srvd ctl: " << a << " needs a value\n";
                return 2;
            }
            (a == "-c" || a == "--config" ? config : socket) = args[++i];
        } else {
            words.push_back(a);
        }
    }
    if (words.empty()) {
        std::cerr << "srvd ctl: expected a command: status, drain, undrain, reload, explain, sign "
                     "(srvd help ctl)\n";
        return 2;
    }
    std::error_code ec;
    if (socket.empty() && config.empty() &&
        std::filesystem::exists(config::default_config_path, ec))
        config = config::default_config_path;
    if (socket.empty() && !config.empty()) {
        try {
            socket = config::load_server_config(config).control_socket;
        } catch (const config::LoadError& e) {
            std::cerr << e.what() << "\n";
            return 2;
        } catch (const std::exception& e) {
            std::cerr << config << ": " << e.what() << "\n";
            return 2;
        }
    }
    if (socket.empty()) socket = config::ServerConfig{}.control_socket;
    // A reload of many zones takes a while, and a drain answers once its
    // answers are published, after any reload under way; the rest answer at once.
    const bool waits =
        words[0] == "reload" || words[0] == "sign" || words[0] == "drain" || words[0] == "undrain";
    const auto timeout = waits ? std::chrono::seconds(120) : std::chrono::seconds(5);
    const server::Reply reply = server::ask_control(socket, words, timeout);
    (reply.status == 0 ? std::cout : std::cerr) << reply.text;
    if (reply.status == 0 && words[0] == "drain" &&
        std::find(words.begin(), words.end(), "--wait") != words.end())
        wait_for_caches(reply.text, words[1]);
    return reply.status;
}

} // namespace srvd::cli
