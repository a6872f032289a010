#include "cli/commands.hpp"

int main(int argc, char** argv) {
    return srvd::cli::run(srvd::cli::Args(argv + 1, argv + argc));
}
