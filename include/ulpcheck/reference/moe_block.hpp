// A small MoE block end to end, for attributing the error of its output to its stages:
//
//   router    ids, w = biased_grouped_topk(logits, bias)       (fp32 weights, renormalised,
//                                                              without the scaling factor)
//   gate_up   g[t,k] = x[t] @ W1[ids[t,k]]                     [2 * inter] in F
//   act       a[t,k] = silu(min(g_gate, L)) * clamp(g_up, -L, L)   [inter] in F
//   down      y[t,k] = a[t,k] @ W2[ids[t,k]]                   [hidden] in F
//   shared    s[t]   = the same three stages with the shared expert's own weights
//   combine   out[t] = rsf * sum_k w[t,k] y[t,k] + s[t]       [hidden] in F
//
// F is the storage format (bf16, fp16 or fp32). This file holds the block's config, its
// generated inputs and the exact answers of every stage in two forms:
//
//  (a) the end-to-end exact chain: each stage's exact value, unrounded, is the next stage's
//      input, so the last stage gives the exact output of the block on its inputs;
//  (b) each stage alone on exact inputs: the chain's value at the stage's input, correctly
//      rounded to F (the weights to fp32), and the stage's exact answer on those inputs.
//
// Kernels run on (b)'s inputs show a stage's own error; the kernel chain's output at each
// stage against (a) shows what has accumulated up to it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ulpcheck/reference/combine.hpp"
#include "ulpcheck/reference/exact.hpp"
#include "ulpcheck/reference/exact_sum.hpp"
#include "ulpcheck/reference/format.hpp"
#include "ulpcheck/reference/routing.hpp"

namespace ulpcheck {

struct MoeBlockConfig {
  Format format = Format::bf16;
  int experts = 16;
  int n_group = 4;
  int topk_group = 2;
  int topk = 4;
  int hidden = 64;
  int inter = 128;
  std::int64_t tokens = 256;
  /// Applied by the combine; the router runs with factor 1.0.
  double routed_scaling_factor = 2.5;
  /// The activation's clamp limit (silu_and_mul_clamp's `limit`), an fp32 value.
  double limit = 7.0;
  /// x ~ input_scale * N(0, 1): with weights ~ N(0, 1/fan_in) the gate and up values are
  /// about input_scale * N(0, 1), so a scale of 3 puts a few percent of them past the limit 7.
  double input_scale = 3.0;
  std::uint64_t seed = 1;

  /// Empty when valid, else what is wrong (the routing and combine configs' own checks,
  /// sizes in range).
  std::string validate() const;
  /// The router's config: sigmoid scoring, renormalised, routed_scaling_factor 1.0.
  RoutingConfig routing() const;
  CombineConfig combine() const;
  /// "bf16 E=16 groups=4 keep=2 top=4 hidden=64 inter=128 tokens=256 scale=2.5 limit=7 seed=1"
  std::string label() const;
};

/// The block's inputs, as bit patterns of F unless said otherwise. Row-major throughout.
struct MoeBlockInputs {
  RoutingInputs router;                  ///< fp32 logits [tokens, experts], fp32 bias [experts]
  std::vector<std::uint32_t> x;          ///< [tokens, hidden]
  std::vector<std::uint32_t> w1;         ///< [experts, hidden, 2 * inter]: gate columns, then up
  std::vector<std::uint32_t> w2;         ///< [experts, inter, hidden]
  std::vector<std::uint32_t> shared_w1;  ///< [hidden, 2 * inter]
  std::vector<std::uint32_t> shared_w2;  ///< [inter, hidden]
};

/// Deterministic in config (seed included): x ~ input_scale * N(0, 1), every weight
/// ~ N(0, 1/sqrt(fan_in)) (standard deviation), each rounded to F; logits ~ 2 N(0, 1) and
/// bias ~ U(-0.05, 0.05) in fp32. Throws std::invalid_argument for an invalid config.
MoeBlockInputs generate_moe_block_inputs(const MoeBlockConfig& config);

/// (a) The end-to-end exact chain. Routed tensors are [tokens, topk, ...] in the oracle's
/// order of picks (routing[t].ids).
///
/// The activation oracle (reference/oracle.hpp) takes its inputs as doubles: it is fed the
/// exact gate_up values rounded to double (value.hi), so its answer is exact for inputs
/// within a relative 2^-53 of the exact ones, far below one rounding of any F. Every other
/// stage takes the previous one's double-double unrounded.
struct MoeBlockExact {
  std::vector<TokenRouting> routing;
  std::vector<ExactDot> gate_up;         ///< [tokens, topk, 2 * inter]
  std::vector<Exact> activation;         ///< [tokens, topk, inter]
  std::vector<ExactDot> down;            ///< [tokens, topk, hidden]
  std::vector<ExactDot> shared_gate_up;  ///< [tokens, 2 * inter]
  std::vector<Exact> shared_activation;  ///< [tokens, inter]
  std::vector<ExactDot> shared_down;     ///< [tokens, hidden]
  std::vector<ExactDot> out;             ///< [tokens, hidden]
};

/// (b) Each stage on exact inputs: the chain (a)'s value at the stage's input correctly
/// rounded to F, and the stage's exact answer on exactly those inputs. The router's and
/// gate_up's inputs are the block's own, so their answers are (a)'s.
struct MoeStageExact {
  std::vector<std::uint32_t> activation_input;         ///< [tokens * topk, 2 * inter]: gate_up rounded
  std::vector<Exact> activation;                       ///< [tokens * topk, inter]
  std::vector<std::uint32_t> shared_activation_input;  ///< [tokens, 2 * inter]
  std::vector<Exact> shared_activation;                ///< [tokens, inter]
  std::vector<std::uint32_t> down_input;               ///< [tokens * topk, inter]: activation rounded
  std::vector<ExactDot> down;                          ///< [tokens * topk, hidden]
  std::vector<std::uint32_t> shared_down_input;        ///< [tokens, inter]
  std::vector<ExactDot> shared_down;                   ///< [tokens, hidden]
  /// Routed outputs and shared output of (a) rounded to F, weights of the oracle rounded to
  /// fp32; and combine_exact on them.
  CombineInputs combine_input;
  CombineExact combine;
};

/// The exact chain (a). `threads` as for parallel_for.
MoeBlockExact moe_block_exact(const MoeBlockConfig& config, const MoeBlockInputs& inputs, int threads = 0);
/// The per-stage exact answers (b), from the chain (a).
MoeStageExact moe_stage_exact(const MoeBlockConfig& config, const MoeBlockInputs& inputs, const MoeBlockExact& chain,
                              int threads = 0);

}  // namespace ulpcheck
