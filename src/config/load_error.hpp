#pragma once
#include <stdexcept>
#include <string>
#include <vector>

namespace srvd::config {

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

// Several independent errors of one load, so that one mistake does not hide
// the next (as nsd-checkzone reports every error of a zone). what() is one
// "file:line:column: message" line per error; mark() and message() are the
// first's.
class LoadErrors : public LoadError {
  public:
    explicit LoadErrors(std::vector<LoadError> errors)
        : LoadError(errors.front()), errors_(std::move(errors)), text_(join(errors_)) {}
    const char* what() const noexcept override { return text_.c_str(); }
    const std::vector<LoadError>& errors() const { return errors_; }

  private:
    static std::string join(const std::vector<LoadError>& errors) {
        std::string out;
        for (const auto& e : errors) {
            if (!out.empty()) out += '\n';
            out += e.what();
        }
        return out;
    }
    std::vector<LoadError> errors_;
    std::string text_;
};

// Collects the errors of independent steps: each attempt() runs one, and
// its LoadError (or LoadErrors) is kept instead of ending the load.
class ErrorList {
  public:
    // Returns whether the step succeeded.
    template <typename F> bool attempt(F&& step) {
        try {
            step();
            return true;
        } catch (const LoadErrors& e) {
            errors_.insert(errors_.end(), e.errors().begin(), e.errors().end());
        } catch (const LoadError& e) {
            errors_.push_back(e);
        }
        return false;
    }
    bool empty() const { return errors_.empty(); }
    // Throws what was collected: one LoadError as itself, several as LoadErrors.
    void throw_if_any() const {
        if (errors_.size() == 1) throw errors_.front();
        if (!errors_.empty()) throw LoadErrors(errors_);
    }

  private:
    std::vector<LoadError> errors_;
};

// One "file:line:column: message" line per error `e` holds (one for a plain
// LoadError): what check prints and a refused load logs, a line each.
inline std::vector<std::string> error_lines(const LoadError& e) {
    std::vector<std::string> out;
    if (auto many = dynamic_cast<const LoadErrors*>(&e))
        for (const auto& one : many->errors()) out.push_back(one.what());
    else
        out.push_back(e.what());
    return out;
}

// "1 error", "3 errors": the count check prints and a refused reload logs.
inline std::string error_count_text(std::size_t n) {
    return std::to_string(n) + (n == 1 ? " error" : " errors");
}

} // namespace srvd::config
