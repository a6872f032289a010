#pragma once
// Zone transfer settings (issue #8), named as Knot and NSD name them: TSIG
// keys, who may transfer (`allow`, Knot's acl action transfer, NSD's
// provide-xfr), whom to NOTIFY, and the catalog zone srvd generates.
#include "util/address_prefix.hpp"

#include <boost/asio/ip/udp.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace YAML {
class Node;
}

namespace srvd::config {

class YamlReader;

struct TsigKey {
    std::string name;        // fully qualified, lowercase: the key's name on the wire
    std::string algorithm;   // as ldns names it: "hmac-sha256."
    std::string secret;      // base64, as tsig-keygen and keymgr print it
    std::string secret_file; // where it was read from; empty: written in the configuration
    bool operator==(const TsigKey&) const = default;
};

// A transfer is allowed when the client's address is in `prefix` and, when
// `key` is set, the request is signed with that key.
struct TransferAllow {
    AddressPrefix prefix;
    std::string key; // a TsigKey name, or empty
    bool operator==(const TransferAllow&) const = default;
};

struct NotifyTarget {
    boost::asio::ip::udp::endpoint endpoint;
    std::string key;
    bool operator==(const NotifyTarget&) const = default;
};

struct TransferConfig {
    std::vector<TsigKey> keys;
    std::vector<TransferAllow> allow; // empty: no transfers
    std::vector<NotifyTarget> notify;
    std::uint32_t notify_retries = 5;               // Knot's default
    std::chrono::milliseconds notify_timeout{2000}; // per attempt, doubling
    std::uint32_t ixfr_history = 16;                // serial changes kept per zone
    std::string catalog;                            // catalog zone name, empty: none
    std::string state_dir = "/var/lib/srvd";        // serials of `soa.serial: auto` zones
    bool state_dir_given = false;                   // written in the configuration
    bool operator==(const TransferConfig&) const = default;

    const TsigKey* find_key(const std::string& name) const {
        for (const auto& k : keys)
            if (k.name == name) return &k;
        return nullptr;
    }
};

// Reads `keys:`, `transfer:`, `catalog:` and `state_dir:` from the server
// configuration's root; `config_file` anchors relative paths. Throws LoadError.
void read_transfer_config(const YamlReader& r, const YAML::Node& root,
                          const std::string& config_file, TransferConfig& out);

} // namespace srvd::config
