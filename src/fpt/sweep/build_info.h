// What build of fpt is running: the git commit (with -dirty when the tree had changes) and a
// version string, generated at build time by cmake/git_commit.cmake.
#pragma once

#include <string>

namespace fpt::sweep {

std::string build_git_commit();  // e.g. "3f2a9c1e0b...-dirty", or "unknown" outside a checkout
std::string build_version();     // project version, e.g. "0.1.0"

}  // namespace fpt::sweep
