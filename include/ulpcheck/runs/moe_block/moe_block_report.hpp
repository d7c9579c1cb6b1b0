// The MoE block's output error attributed to its stages (reference/moe_block.hpp): each
// stage's own error (its kernel on exact inputs against its exact answer on them) beside
// the error the kernel chain has accumulated by that stage (against the end-to-end exact
// value), for one pipeline of kernels (device/moe_pipeline.hpp).
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "ulpcheck/device/moe_pipeline.hpp"
#include "ulpcheck/reference/moe_block.hpp"

namespace ulpcheck {

/// Outputs against exact values. ULP figures are in the stage's format; `max_relative` is
/// max |y - r| over the root mean square of the exact values r compared (the stage's scale,
/// so that stages of different magnitudes compare).
struct MoeErrorFigures {
  std::int64_t compared = 0;
  double max_ulp = 0.0;
  double p99_ulp = 0.0;
  double max_relative = 0.0;
  /// Outputs NaN or infinite where the exact value is finite; not in the figures above.
  std::int64_t non_finite = 0;
};

struct MoeStageFigures {
  std::string stage;             ///< "router weights", "gate_up", "activation", "down", "shared ...", "combine"
  std::string kernel;            ///< the kernel's name
  Format format = Format::bf16;  ///< of the ULP figures: fp32 for the router's weights
  /// The kernel on the stage's exact inputs against the stage's exact answer on them.
  MoeErrorFigures own;
  /// The kernel's claim as text, empty when it claims nothing for this format.
  std::string claim;
  /// Own outputs outside the claim (0 when there is no claim).
  std::int64_t own_breaches = 0;
  /// The kernel chain's output at this stage against the end-to-end exact value, over the
  /// tokens whose kernel ids are the oracle's.
  MoeErrorFigures chained;
};

struct MoeBlockReport {
  std::string config;    ///< MoeBlockConfig::label()
  std::string pipeline;  ///< "host", "cuda"
  /// Where it ran: the device, the cuBLAS library; or, when not measured, why not.
  std::string device;
  bool measured = false;
  std::int64_t tokens = 0;
  /// Tokens whose kernel ids (as a set) differ from the oracle's: near-ties or routing
  /// errors, left out of every chained figure after the router's.
  std::int64_t id_mismatch_tokens = 0;
  /// How near a tie the flips were: per token the smaller of its exact expert and group
  /// margins (route_exact's), the largest of those over the tokens (0 when there are none).
  double mismatch_margin_max = 0.0;
  /// router weights, gate_up, activation, down, shared gate_up, shared activation, shared down.
  std::vector<MoeStageFigures> stages;
  /// One per combine placement: own = the combine on exact inputs; chained = the block's
  /// final output against its exact value.
  std::vector<MoeStageFigures> combines;

  /// Whether every stage with a claim kept its own outputs within it.
  bool own_within_claims() const;
};

/// Runs the pipeline over the block, both ways (exact inputs per stage, and the chain), and
/// gathers the figures. Throws KernelError when a kernel cannot run.
MoeBlockReport attribute_moe_block(const MoeBlockConfig& config, const MoeBlockInputs& inputs,
                                   const MoeBlockExact& chain, const MoeStageExact& stages,
                                   const MoePipeline& pipeline);

/// A report that says the pipeline was not measured, and why.
MoeBlockReport unmeasured_moe_block(const MoeBlockConfig& config, const std::string& pipeline, const std::string& why);

/// The report as Markdown: a heading line, where it ran, and one table of the stages and
/// combine placements (stage | kernel | own max ULP | own p99 | chained max ULP | chained p99
/// | own rel | chained rel | claim).
std::string moe_block_markdown(const MoeBlockReport& report);

/// The report as JSON: every field above by its name, and "own_within_claims".
nlohmann::json moe_block_json(const MoeBlockReport& report);
/// The inverse, for renderers of a report document; throws nlohmann::json's exceptions on a
/// missing or mistyped key.
MoeBlockReport moe_block_from_json(const nlohmann::json& j);

}  // namespace ulpcheck
