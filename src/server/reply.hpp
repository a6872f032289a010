#pragma once
// What a control command answers: the exit status `srvd ctl` returns and
// its text; and how a command hands it back, at once or once its change is
// published.
#include <functional>
#include <string>

namespace srvd::server {

struct Reply {
    int status = 0;
    std::string text;
};
using ReplyTo = std::function<void(Reply)>;

} // namespace srvd::server
