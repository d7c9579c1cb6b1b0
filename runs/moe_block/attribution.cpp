// The MoE block's error attributed to its stages (runs/moe_block/moe_block_report.hpp).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include "ulpcheck/device/cuda/cublas_gemm.hpp"
#include "ulpcheck/device/cuda/runtime.hpp"
#include "ulpcheck/properties/combine/compare.hpp"
#include "ulpcheck/properties/error_stats.hpp"
#include "ulpcheck/reference/element_check.hpp"
#include "ulpcheck/reference/registry.hpp"
#include "ulpcheck/reference/ulp.hpp"
#include "ulpcheck/runs/moe_block/moe_block_report.hpp"

namespace ulpcheck {

namespace {

/// Gathers MoeErrorFigures over outputs of one format.
class MoeFigureCollector {
 public:
  explicit MoeFigureCollector(Format f) : format_(f) {}
  void add(double got, const DoubleDouble& exact) {
    ++compared_;
    if (!std::isfinite(got) || !exact.is_finite()) {
      if (std::isfinite(got) != exact.is_finite()) ++non_finite_;
      return;
    }
    const double ulp = ulp_error(format_, got, exact);
    ulps_.push_back(static_cast<float>(ulp));
    max_ulp_ = std::max(max_ulp_, ulp);
    max_abs_ = std::max(max_abs_, abs_difference(got, exact));
    sum_squares_ += exact.hi * exact.hi;
  }
  MoeErrorFigures figures() const {
    MoeErrorFigures out;
    out.compared = compared_;
    out.non_finite = non_finite_;
    out.max_ulp = max_ulp_;
    out.p99_ulp = nearest_rank_percentile(ulps_, 0.99);
    const double rms = ulps_.empty() ? 0.0 : std::sqrt(sum_squares_ / static_cast<double>(ulps_.size()));
    out.max_relative = rms > 0.0 ? max_abs_ / rms : (max_abs_ > 0.0 ? HUGE_VAL : 0.0);
    return out;
  }

 private:
  Format format_;
  std::int64_t compared_ = 0, non_finite_ = 0;
  double max_ulp_ = 0.0, max_abs_ = 0.0, sum_squares_ = 0.0;
  std::vector<float> ulps_;
};

/// Which oracle slot each kernel slot of a token holds, -1 for an id the oracle did not pick.
struct MoeSlotMap {
  std::vector<int> slot;           ///< [tokens, topk]
  std::vector<std::uint8_t> same;  ///< [tokens]: the kernel's id set is the oracle's
};

MoeSlotMap moe_slot_map(const MoeBlockConfig& c, const MoeBlockExact& a, const RoutingOutputs& got,
                        MoeBlockReport& report) {
  const std::int64_t T = c.tokens, K = c.topk;
  MoeSlotMap m{std::vector<int>(static_cast<std::size_t>(T * K), -1),
               std::vector<std::uint8_t>(static_cast<std::size_t>(T))};
  for (std::int64_t t = 0; t < T; ++t) {
    const TokenRouting& r = a.routing[static_cast<std::size_t>(t)];
    std::vector<bool> taken(static_cast<std::size_t>(K), false);
    bool same = true;
    for (std::int64_t k = 0; k < K; ++k) {
      const auto it = std::find(r.ids.begin(), r.ids.end(), got.ids[static_cast<std::size_t>(t * K + k)]);
      const int j = it == r.ids.end() ? -1 : static_cast<int>(it - r.ids.begin());
      if (j < 0 || taken[static_cast<std::size_t>(j)]) {
        same = false;
      } else {
        taken[static_cast<std::size_t>(j)] = true;
      }
      m.slot[static_cast<std::size_t>(t * K + k)] = j;
    }
    m.same[static_cast<std::size_t>(t)] = same;
    if (!same) {
      ++report.id_mismatch_tokens;
      report.mismatch_margin_max = std::max(report.mismatch_margin_max, std::min(r.expert_margin, r.group_margin));
    }
  }
  return m;
}

std::string moe_gemm_claim_text(const GemmClaim& g) {
  return fmt::format("max({} ulp, {:.3g} s)", g.max_ulp, g.relative);
}

/// Own figures of a GEMM stage: got [rows, n] against exact answers of the same layout.
void moe_gemm_own(MoeStageFigures& s, const GemmClaim& claim, const std::vector<std::uint32_t>& got,
                  const std::vector<ExactDot>& exact) {
  MoeFigureCollector own(s.format);
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double y = decode(s.format, got[i]);
    const DoubleDouble& r = exact[i].value.value;
    own.add(y, r);
    const bool ok = std::isfinite(y) &&
                    abs_difference(y, r) <= std::max(claim.max_ulp * ulp_of(s.format, r), claim.floor(exact[i].scale));
    s.own_breaches += ok ? 0 : 1;
  }
  s.own = own.figures();
  s.claim = moe_gemm_claim_text(claim);
}

/// Chained figures of a routed stage: got [tokens * topk, n] in the kernel's slot order,
/// exact [tokens * topk, n] in the oracle's, over the tokens whose ids agree.
template <typename ExactValue>
MoeErrorFigures moe_routed_chained(const MoeBlockConfig& c, Format f, const MoeSlotMap& m, std::int64_t n,
                                   const std::vector<std::uint32_t>& got, const std::vector<ExactValue>& exact,
                                   const std::function<DoubleDouble(const ExactValue&)>& value_of) {
  MoeFigureCollector chained(f);
  const std::int64_t K = c.topk;
  for (std::int64_t t = 0; t < c.tokens; ++t) {
    if (!m.same[static_cast<std::size_t>(t)]) continue;
    for (std::int64_t k = 0; k < K; ++k) {
      const std::int64_t j = m.slot[static_cast<std::size_t>(t * K + k)];
      for (std::int64_t i = 0; i < n; ++i)
        chained.add(decode(f, got[static_cast<std::size_t>((t * K + k) * n + i)]),
                    value_of(exact[static_cast<std::size_t>((t * K + j) * n + i)]));
    }
  }
  return chained.figures();
}

/// Chained figures of a stage that does not depend on the routing (the shared expert).
template <typename ExactValue>
MoeErrorFigures moe_plain_chained(Format f, const std::vector<std::uint32_t>& got, const std::vector<ExactValue>& exact,
                                  const std::function<DoubleDouble(const ExactValue&)>& value_of) {
  MoeFigureCollector chained(f);
  for (std::size_t i = 0; i < got.size(); ++i) chained.add(decode(f, got[i]), value_of(exact[i]));
  return chained.figures();
}

/// Own figures of an activation stage: the kernel on `input` [rows, 2 * inter] against
/// the oracle's answers on the same input.
void moe_activation_own(const MoeBlockConfig& c, MoeStageFigures& s, const Kernel& kernel,
                        const std::vector<std::uint32_t>& input, const std::vector<std::uint32_t>& got,
                        const std::vector<Exact>& exact) {
  const Format f = c.format;
  const std::optional<Budget> budget = kernel.claim(kSiluAndMulClampOp, f);
  Params params;
  params.set("limit", c.limit);
  const std::int64_t I = c.inter, rows = static_cast<std::int64_t>(got.size()) / I;
  MoeFigureCollector own(f);
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t j = 0; j < I; ++j) {
      const auto e = static_cast<std::size_t>(r * I + j);
      const double y = decode(f, got[e]);
      own.add(y, exact[e].value);
      if (!budget) continue;
      const ActivationInput in =
          kSiluAndMulClampOp.prepare(decode(f, input[static_cast<std::size_t>(r * 2 * I + j)]),
                                     decode(f, input[static_cast<std::size_t>(r * 2 * I + I + j)]), params);
      const ElementCheck check = check_element(f, y, exact[e], true, ElementwiseOp::floor_scale(in), *budget);
      s.own_breaches += check.passes() ? 0 : 1;
    }
  s.own = own.figures();
  if (budget) s.claim = fmt::format("{} ulp, floor {:.3g} |up|", budget->max_ulp, budget->abs_floor);
}

MoeStageFigures moe_stage(std::string stage, std::string kernel, Format f) {
  MoeStageFigures s;
  s.stage = std::move(stage);
  s.kernel = std::move(kernel);
  s.format = f;
  return s;
}

DoubleDouble moe_sum_value(const ExactDot& s) { return s.value.value; }
DoubleDouble moe_exact_value(const Exact& e) { return e.value; }

}  // namespace

bool MoeBlockReport::own_within_claims() const {
  for (const auto* list : {&stages, &combines})
    for (const MoeStageFigures& s : *list)
      if (s.own_breaches != 0) return false;
  return true;
}

MoeBlockReport unmeasured_moe_block(const MoeBlockConfig& c, const std::string& pipeline, const std::string& why) {
  MoeBlockReport r;
  r.config = c.label();
  r.pipeline = pipeline;
  r.device = why;
  r.measured = false;
  r.tokens = c.tokens;
  return r;
}

MoeBlockReport attribute_moe_block(const MoeBlockConfig& c, const MoeBlockInputs& in, const MoeBlockExact& a,
                                   const MoeStageExact& b, const MoePipeline& p) {
  const Format f = c.format;
  const std::int64_t T = c.tokens, K = c.topk, H = c.hidden, I = c.inter, N1 = 2 * I;
  MoeBlockReport rep;
  rep.config = c.label();
  rep.pipeline = p.name;
  rep.measured = true;
  rep.tokens = T;
  rep.device = p.name == "host" ? "host (no device)"
                                : fmt::format("{}; {}", cuda::device_description(), cuda::cublas_description());
  const std::function<DoubleDouble(const ExactDot&)> of_sum = &moe_sum_value;
  const std::function<DoubleDouble(const Exact&)> of_exact = &moe_exact_value;

  // Router: its inputs are the block's, so its own figures are its chained ones.
  const RoutingConfig rc = c.routing();
  RoutingOutputs routed{std::vector<std::int32_t>(static_cast<std::size_t>(T * K), -1),
                        std::vector<float>(static_cast<std::size_t>(T * K), std::numeric_limits<float>::quiet_NaN())};
  p.routing->run(rc, in.router, routed);
  const MoeSlotMap m = moe_slot_map(c, a, routed, rep);
  {
    MoeStageFigures s = moe_stage("router weights", std::string(p.routing->name()), Format::fp32);
    const std::optional<RoutingClaim> claim = p.routing->claim(rc, Format::fp32, Format::fp32);
    MoeFigureCollector weights(Format::fp32);
    for (std::int64_t t = 0; t < T; ++t) {
      if (!m.same[static_cast<std::size_t>(t)]) continue;
      for (std::int64_t k = 0; k < K; ++k) {
        const double w = routed.weights[static_cast<std::size_t>(t * K + k)];
        const DoubleDouble& r = a.routing[static_cast<std::size_t>(t)]
                                    .weights[static_cast<std::size_t>(m.slot[static_cast<std::size_t>(t * K + k)])];
        weights.add(w, r);
        if (claim && !(abs_difference(w, r) <= std::max(claim->weights.max_ulp * ulp_of(Format::fp32, r),
                                                        claim->weights.abs_floor * rc.routed_scaling_factor)))
          ++s.own_breaches;
      }
    }
    s.own = s.chained = weights.figures();
    if (claim) s.claim = fmt::format("{} ulp", claim->weights.max_ulp);
    rep.stages.push_back(s);
  }

  std::vector<std::int32_t> oracle_ids(static_cast<std::size_t>(T * K));
  for (std::int64_t t = 0; t < T; ++t)
    std::copy(a.routing[static_cast<std::size_t>(t)].ids.begin(), a.routing[static_cast<std::size_t>(t)].ids.end(),
              oracle_ids.begin() + t * K);
  std::vector<std::uint32_t> x_rows(static_cast<std::size_t>(T * K * H));
  for (std::int64_t r = 0; r < T * K; ++r) std::copy_n(in.x.begin() + (r / K) * H, H, x_rows.begin() + r * H);
  const GemmKernel& gemm = *p.gemm;
  const std::string gemm_name(gemm.name()), act_name(p.activation->name());

  // Routed expert: own runs take the oracle's ids and exact inputs, the chain the kernel's.
  MoeStageFigures gate_up = moe_stage("gate_up", gemm_name, f);
  moe_gemm_own(gate_up, gemm.claim(f, H), run_grouped_gemm(gemm, f, H, N1, oracle_ids, x_rows, in.w1), a.gate_up);
  const std::vector<std::uint32_t> g = run_grouped_gemm(gemm, f, H, N1, routed.ids, x_rows, in.w1);
  gate_up.chained = moe_routed_chained(c, f, m, N1, g, a.gate_up, of_sum);
  rep.stages.push_back(gate_up);

  MoeStageFigures act = moe_stage("activation", act_name, f);
  moe_activation_own(c, act, *p.activation, b.activation_input,
                     run_moe_activation(*p.activation, f, c.limit, T * K, I, b.activation_input), b.activation);
  const std::vector<std::uint32_t> act_out = run_moe_activation(*p.activation, f, c.limit, T * K, I, g);
  act.chained = moe_routed_chained(c, f, m, I, act_out, a.activation, of_exact);
  rep.stages.push_back(act);

  MoeStageFigures down = moe_stage("down", gemm_name, f);
  moe_gemm_own(down, gemm.claim(f, I), run_grouped_gemm(gemm, f, I, H, oracle_ids, b.down_input, in.w2), b.down);
  const std::vector<std::uint32_t> y = run_grouped_gemm(gemm, f, I, H, routed.ids, act_out, in.w2);
  down.chained = moe_routed_chained(c, f, m, H, y, a.down, of_sum);
  rep.stages.push_back(down);

  // Shared expert: one expert for every token, independent of the routing.
  const std::vector<std::int32_t> zeros(static_cast<std::size_t>(T), 0);
  MoeStageFigures sg = moe_stage("shared gate_up", gemm_name, f);
  const std::vector<std::uint32_t> sg_out = run_grouped_gemm(gemm, f, H, N1, zeros, in.x, in.shared_w1);
  moe_gemm_own(sg, gemm.claim(f, H), sg_out, a.shared_gate_up);
  sg.chained = moe_plain_chained(f, sg_out, a.shared_gate_up, of_sum);
  rep.stages.push_back(sg);

  MoeStageFigures sa = moe_stage("shared activation", act_name, f);
  moe_activation_own(c, sa, *p.activation, b.shared_activation_input,
                     run_moe_activation(*p.activation, f, c.limit, T, I, b.shared_activation_input),
                     b.shared_activation);
  const std::vector<std::uint32_t> sa_out = run_moe_activation(*p.activation, f, c.limit, T, I, sg_out);
  sa.chained = moe_plain_chained(f, sa_out, a.shared_activation, of_exact);
  rep.stages.push_back(sa);

  MoeStageFigures sd = moe_stage("shared down", gemm_name, f);
  moe_gemm_own(sd, gemm.claim(f, I), run_grouped_gemm(gemm, f, I, H, zeros, b.shared_down_input, in.shared_w2),
               b.shared_down);
  const std::vector<std::uint32_t> sd_out = run_grouped_gemm(gemm, f, I, H, zeros, sa_out, in.shared_w2);
  sd.chained = moe_plain_chained(f, sd_out, a.shared_down, of_sum);
  rep.stages.push_back(sd);

  // Combine, each placement: own on the exact inputs, chained = the block's output.
  const CombineConfig cc = c.combine();
  const CombineInputs chain_in{f, T, y, routed.weights, sd_out};
  for (const CombineKernel* k : p.combines) {
    MoeStageFigures s = moe_stage("combine", std::string(k->name()), f);
    const std::optional<CombineClaim> claim = k->claim(cc, f);
    const std::vector<std::uint32_t> own_out = run_combine_kernel(*k, cc, b.combine_input);
    MoeFigureCollector own(f);
    for (std::size_t e = 0; e < own_out.size(); ++e) {
      own.add(decode(f, own_out[e]), b.combine.out[e].value);
      if (claim && !check_combine_element(*claim, f, b.combine, own_out, e).passes()) ++s.own_breaches;
    }
    s.own = own.figures();
    if (claim)
      s.claim = fmt::format("max({} ulp, {:.3g} s + {:.3g})", claim->max_ulp, claim->relative, claim->absolute);
    const std::vector<std::uint32_t> out = run_combine_kernel(*k, cc, chain_in);
    MoeFigureCollector chained(f);
    for (std::int64_t t = 0; t < T; ++t) {
      if (!m.same[static_cast<std::size_t>(t)]) continue;
      for (std::int64_t h = 0; h < H; ++h)
        chained.add(decode(f, out[static_cast<std::size_t>(t * H + h)]),
                    a.out[static_cast<std::size_t>(t * H + h)].value.value);
    }
    s.chained = chained.figures();
    rep.combines.push_back(s);
  }
  return rep;
}

}  // namespace ulpcheck
