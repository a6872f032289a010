#pragma once
// Domain names in uncompressed wire format, held in std::string. Used at load
// time; the packet path works on raw bytes.
#include <optional>
#include <string>
#include <string_view>

namespace srvd::dns {

// "proxy-a.example.com." → wire; relative names are taken as absolute. nullopt
// when the text is not a valid name (ldns does the parsing, escapes included).
std::optional<std::string> name_from_text(std::string_view text);
// A name as an operator types it ("example.com") made absolute
// ("example.com."); empty stays empty (ctl's "every zone").
std::string absolute(std::string text);
std::string name_to_text(std::string_view wire);
std::string lowercase(std::string_view wire);
// True when `name` equals `zone` or lies below it (both lowercased wire).
bool is_at_or_below(std::string_view name, std::string_view zone);
// The name with its first label removed; the root stays the root.
std::string_view parent_name(std::string_view wire);
std::size_t label_count(std::string_view wire);

} // namespace srvd::dns
