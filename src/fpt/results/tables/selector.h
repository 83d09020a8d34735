// Selector: whether an experiment spec meets a table's key = pattern conditions. A pattern is one
// or more alternatives separated by '|'; an alternative ending in '*' matches any value starting
// with the rest ("gpt2*" matches gpt2, gpt2-medium and gpt2-tiny). `trains` compares as a set of
// groups, with "fpt" standing for input,output,pos,ln ("ln,output" = "output,ln"; blanks inside a
// word are ignored, "attn @ -1" = "attn@-1").
//
// Alternatives are in order of preference within one cell: the cell uses the runs of the first
// alternative that any of its runs matches. "cifar10|mnist" takes the MNIST stand-in of a scaled
// run only for a cell that has no CIFAR-10 run, so full-size results are never mixed with it.
#pragma once

#include <string>
#include <vector>

#include "fpt/core/experiment_spec.h"
#include "fpt/core/run_result.h"
#include "fpt/results/tables/table_definition.h"

namespace fpt::results::tables {

// The key's value as text, as a sweep file would write it ("gpt2", "3", "0.001", "true").
std::string spec_value_text(const core::ExperimentSpec& spec, const std::string& key);

bool matches(const core::ExperimentSpec& spec, const Conditions& conditions);

// Of `runs`, which all meet `conditions`, those that match each pattern's most preferred
// alternative that any of them matches.
std::vector<const core::RunResult*> preferred_runs(std::vector<const core::RunResult*> runs,
                                                   const Conditions&                   conditions);

// "body=gpt2*, init=pretrained" ("(any)" when empty).
std::string describe(const Conditions& conditions);

// `a` followed by `b`.
Conditions combine(Conditions a, const Conditions& b);

}  // namespace fpt::results::tables
