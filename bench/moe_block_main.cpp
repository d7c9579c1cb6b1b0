// ulpcheck_moe_block: the MoE block (reference/moe_block.hpp) end to end on the host
// pipeline and, where a GPU and cuBLAS are present, on the CUDA one; prints each pipeline's
// attribution of the output error to the stages as Markdown (runs/moe_block/).
//
// Exit 0 when every measured stage kept its own outputs within its claim, 1 otherwise, 2 on
// bad usage.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "ulpcheck/device/moe_pipeline.hpp"
#include "ulpcheck/runs/moe_block/moe_block_report.hpp"

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ulpcheck;
  CLI::App app{"The MoE block end to end: each stage's own error and the chained error, per pipeline"};
  std::string dtype = "bf16", backend = "all", json_path;
  MoeBlockConfig config;
  app.add_option("--dtype", dtype, "storage format: bf16, fp16 or fp32")
      ->check(CLI::IsMember({"bf16", "fp16", "fp32"}));
  app.add_option("--tokens", config.tokens, "tokens in the batch")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 20));
  app.add_option("--seed", config.seed, "seed of the generated inputs");
  app.add_option("--backend", backend, "host, cuda, or all (the host, and CUDA where it can run)")
      ->check(CLI::IsMember({"host", "cuda", "all"}));
  app.add_option("--json", json_path, "also write the reports as JSON to this file");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help exits 0; a bad option is bad usage, 2 like every ulpcheck command.
    return app.exit(e) == 0 ? 0 : 2;
  }
  config.format = *parse_format(dtype);
  if (const std::string why = config.validate(); !why.empty()) {
    std::cerr << "ulpcheck_moe_block: " << why << "\n";
    return 2;
  }

  try {
    auto start = std::chrono::steady_clock::now();
    const MoeBlockInputs inputs = generate_moe_block_inputs(config);
    const MoeBlockExact chain = moe_block_exact(config, inputs);
    const MoeStageExact stages = moe_stage_exact(config, inputs, chain);
    fmt::print("Exact chains for {} in {:.1f} s.\n\n", config.label(), seconds_since(start));

    std::vector<MoeBlockReport> reports;
    if (backend != "cuda") {
      start = std::chrono::steady_clock::now();
      reports.push_back(attribute_moe_block(config, inputs, chain, stages, host_moe_pipeline()));
      fmt::print("Host pipeline in {:.1f} s.\n\n", seconds_since(start));
    }
    if (backend != "host") {
      const MoePipelineChoice cuda = cuda_moe_pipeline();
      if (cuda.pipeline) {
        start = std::chrono::steady_clock::now();
        reports.push_back(attribute_moe_block(config, inputs, chain, stages, *cuda.pipeline));
        fmt::print("CUDA pipeline in {:.1f} s.\n\n", seconds_since(start));
      } else {
        reports.push_back(unmeasured_moe_block(config, "cuda", cuda.unavailable));
      }
    }
    bool within = true;
    nlohmann::json all = nlohmann::json::array();
    for (const MoeBlockReport& r : reports) {
      fmt::print("{}\n", moe_block_markdown(r));
      all.push_back(moe_block_json(r));
      within = within && (!r.measured || r.own_within_claims());
    }
    if (!json_path.empty()) {
      std::ofstream file(json_path);
      if (!file) {
        std::cerr << "ulpcheck_moe_block: cannot write " << json_path << "\n";
        return 2;
      }
      file << all.dump(2) << "\n";
    }
    return within ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "ulpcheck_moe_block: " << e.what() << "\n";
    return 1;
  }
}
