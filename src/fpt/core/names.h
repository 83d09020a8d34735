// The names a sweep may use for bodies, initialisations and tasks, in one place so that the grid
// can reject a typo before any training starts and every area agrees on the spelling.
#pragma once

#include <string>
#include <vector>

namespace fpt::core {

// Every official name, and the subset this build can run (the rest arrive with later work).
const std::vector<std::string>& known_bodies();
const std::vector<std::string>& available_bodies();
const std::vector<std::string>& known_inits();
const std::vector<std::string>& available_inits();
const std::vector<std::string>& known_tasks();
const std::vector<std::string>& available_tasks();

// Throws fpt::Error unless `name` is available; the message says `what` ("body", "task", "init"),
// `context` (file:line or experiment tag), and lists the valid names (and why a known-but-missing
// one is not runnable yet).
void check_available(const std::string& what, const std::string& name, const std::string& context);
// Like check_available, but a known name that this build cannot run yet passes: sweep files may
// describe the paper's whole grid (fpt_sweep --dry-run shows it, --only-runnable runs the rest).
void check_known(const std::string& what, const std::string& name, const std::string& context);
// Whether every name of a spec-like triple is runnable in this build.
bool is_available(const std::string& what, const std::string& name);

}  // namespace fpt::core
