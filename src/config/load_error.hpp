#pragma once
#include <stdexcept>
#include <string>

namespace srvd {

// Where a configuration item came from, kept past the loader so later stages
// (record parsing, cross-references) still report file:line:column.
struct SourceMark {
    std::string file;
    int line = 0;   // 1-based; 0 when unknown
    int column = 0; // 1-based
};

// Thrown while loading; what() is "file:line:column: message", the form
// compilers use, so editors can jump to it.
class LoadError : public std::runtime_error {
  public:
    LoadError(const SourceMark& at, const std::string& message)
        : std::runtime_error(format(at, message)), mark_(at), message_(message) {}
    const SourceMark& mark() const { return mark_; }
    const std::string& message() const { return message_; }

    static std::string format(const SourceMark& at, const std::string& message) {
        if (at.line == 0) return at.file + ": " + message;
        return at.file + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) + ": " +
               message;
    }

  private:
    SourceMark mark_;
    std::string message_;
};

} // namespace srvd
