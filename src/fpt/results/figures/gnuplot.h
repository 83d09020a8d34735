// Running gnuplot (Debian package gnuplot-nox, installed by scripts/setup.sh) on a script that
// fpt_figures wrote: the figures are drawn by a real plotting tool, never pixel by pixel here.
#pragma once

#include <filesystem>
#include <string>

namespace fpt::results {

// `program` itself when it contains a '/', else the first executable `program` on PATH; ""
// when there is none.
std::string find_executable(const std::string& program);

// Runs `gnuplot script_name` with `directory` as the working directory (the script's relative
// file names are there), gnuplot's messages going to directory/gnuplot.log. Throws fpt::Error
// when gnuplot is not installed (naming it, how to install it, and that the data and the script
// are in `directory` to draw later) or when it fails (with the end of its log).
void run_gnuplot(const std::string& gnuplot, const std::filesystem::path& directory,
                 const std::string& script_name);

}  // namespace fpt::results
