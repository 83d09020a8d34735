// fpt_train: trains one experiment in this process, for debugging and quick measurements. Every
// spec key is an option (--task, --body, --steps, --listops_mode, ...; see --help).
//
//   build/fpt_train --task bit-xor --body gpt2-tiny --steps 500 --output /tmp/xor.h5
//   build/fpt_train --task bit-xor --body gpt2-tiny --steps 500 --attention-map xor.tsv
//       (the trained model's layer-0 head-0 attention on one example; draw it with fpt_figures)
#include <fmt/format.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <map>

#include "fpt/core/error.h"
#include "fpt/core/experiment_spec.h"
#include "fpt/dist/world.h"
#include "fpt/io/atomic_file.h"
#include "fpt/results/figures/attention_map_file.h"
#include "fpt/sweep/attention_map_export.h"
#include "fpt/sweep/grid.h"
#include "fpt/sweep/worker.h"

int main(int argc, char** argv) {
  CLI::App app{"fpt_train: train one frozen-pretrained-transformer experiment"};
  std::map<std::string, std::string> values;
  for (const auto& key : fpt::core::spec_keys())
    app.add_option("--" + key.name, values[key.name], key.help);
  std::string output;
  int         threads = 0;
  app.add_option("--output", output, "result file (.h5); default results/train/<id>.h5");
  app.add_option("--threads", threads, "intra-op threads (default: all CPUs of this process)");
  std::string attention_map;
  int64_t     attention_layer = 0, attention_head = 0;
  app.add_option("--attention-map", attention_map,
                 "after training, write the attention probabilities of one GPT-2 layer and head on "
                 "one held-out example to this file (draw it with fpt_figures --attention-map)");
  app.add_option("--attention-layer", attention_layer, "layer of --attention-map (0 = first)")
      ->capture_default_str();
  app.add_option("--attention-head", attention_head, "head of --attention-map")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  try {
    fpt::core::ExperimentSpec spec;
    for (const auto& key : fpt::core::spec_keys())
      if (app.count("--" + key.name) > 0)
        fpt::core::set_spec_key_from_text(spec, key.name, values[key.name], "--" + key.name);

    spec = fpt::core::resolve_defaults(spec);  // lr 0 -> the paper's default, as in a sweep

    fpt::sweep::Assignment assignment;
    assignment.spec        = spec;
    assignment.id          = fpt::core::experiment_id(spec);
    assignment.tag         = fpt::core::default_tag(spec);
    assignment.result_path = output.empty() ? "results/train/" + assignment.id + ".h5" : output;
    assignment.threads     = threads;
    const auto directory   = std::filesystem::path(assignment.result_path).parent_path();
    if (!directory.empty()) fpt::io::ensure_writable_directory(directory);

    fpt::sweep::WorkerContext context;
    char                      host[256] = {0};
    gethostname(host, sizeof(host) - 1);
    context.host                   = host;
    context.default_threads        = fpt::dist::threads_for_ranks(1);
    context.progress_every_seconds = 1e-9;  // every evaluation

    if (spec.init == "bit") {
      // The body comes from its Bit Memory pretraining, saved beside the results and shared by
      // every experiment of this body: run it first if it is not there yet.
      fpt::sweep::Assignment pretraining;
      pretraining.spec           = fpt::core::bit_pretraining_spec(spec);
      pretraining.id             = fpt::core::experiment_id(pretraining.spec);
      pretraining.tag            = fpt::core::default_tag(pretraining.spec) + "_bit-pretraining";
      pretraining.result_path    = (directory / (pretraining.id + ".h5")).string();
      pretraining.threads        = threads;
      pretraining.save_body_path = fpt::sweep::bit_body_path(directory, pretraining.id).string();
      assignment.init_body_path  = pretraining.save_body_path;
      if (!std::filesystem::exists(pretraining.save_body_path)) {
        fmt::print("fpt_train: init bit: running the Bit Memory pretraining {} ({}) first\n",
                   pretraining.tag, pretraining.id);
        const auto report = fpt::sweep::run_assignment(pretraining, context);
        if (report->status != "completed") {
          fmt::print(stderr, "fpt_train: the Bit Memory pretraining {} failed: {}\n", report->tag,
                     report->error);
          return 1;
        }
      }
    }

    // Only the experiment itself (not its Bit Memory pretraining above).
    if (!attention_map.empty()) {
      context.on_trained = [&](torch::nn::Module& trained) {
        fpt::results::write_attention_map(
            attention_map,
            fpt::sweep::trained_attention_map(spec, trained, attention_layer, attention_head));
        fmt::print("fpt_train: attention map of layer {} head {} -> {}\n", attention_layer,
                   attention_head, attention_map);
      };
    }
    fmt::print("fpt_train: {} ({})\n", assignment.tag, assignment.id);
    const auto report = fpt::sweep::run_assignment(assignment, context);
    if (report->status != "completed") {
      fmt::print(stderr, "fpt_train: {} failed: {}\n", report->tag, report->error);
      return 1;
    }
    fmt::print("fpt_train: {} completed in {:.1f} s: accuracy {:.2f}%, {:.3f} samples/s -> {}\n",
               report->tag, report->wall_seconds, 100 * report->accuracy,
               report->samples_per_second, assignment.result_path);
    return 0;
  } catch (const std::exception& error) {
    fmt::print(stderr, "fpt_train: error: {}\n", error.what());
    return 2;
  }
}
