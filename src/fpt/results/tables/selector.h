// Selector: whether an experiment spec meets a table's key = pattern conditions. A pattern is one
// or more alternatives separated by '|'; an alternative ending in '*' matches any value starting
// with the rest ("gpt2*" matches gpt2, gpt2-medium and gpt2-tiny). `trains` compares as a set of
// groups, with "fpt" standing for input,output,pos,ln ("ln,output" = "output,ln").
#pragma once

#include <string>

#include "fpt/core/experiment_spec.h"
#include "fpt/results/tables/table_definition.h"

namespace fpt::results::tables {

// The key's value as text, as a sweep file would write it ("gpt2", "3", "0.001", "true").
std::string spec_value_text(const core::ExperimentSpec& spec, const std::string& key);

bool matches(const core::ExperimentSpec& spec, const Conditions& conditions);

// "body=gpt2*, init=pretrained" ("(any)" when empty).
std::string describe(const Conditions& conditions);

// `a` followed by `b`.
Conditions combine(Conditions a, const Conditions& b);

}  // namespace fpt::results::tables
