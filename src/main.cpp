#include "cli/commands.hpp"

#ifdef SRVD_SANITIZER_SELF_TEST
#include <cstdlib>
#endif

int main(int argc, char** argv) {
#ifdef SRVD_SANITIZER_SELF_TEST
    // Sanitizer builds only: one block lost on purpose, which LeakSanitizer
    // must report at exit (tests/system/sanitizer_test.sh).
    if (std::getenv("SRVD_SANITIZER_SELF_TEST")) {
        char* volatile lost = new char[64];
        lost[0] = 1;
        lost = nullptr;
    }
#endif
    return srvd::cli::run(srvd::cli::Args(argv + 1, argv + argc));
}
