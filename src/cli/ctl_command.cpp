// `srvd ctl`: a command to the running server over its control socket.
#include "cli/commands.hpp"
#include "config/load_error.hpp"
#include "config/server_config.hpp"
#include "server/control_client.hpp"

#include <filesystem>
#include <iostream>

namespace srvd::cli {

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
    return reply.status;
}

} // namespace srvd::cli
