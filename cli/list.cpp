#include "cli/list.hpp"

#include <fmt/format.h>

#include <cmath>
#include <memory>

#include "cli/plugins.hpp"
#include "cli/usage_error.hpp"
#include "ulpcheck/device/cuda/runtime.hpp"
#include "ulpcheck/device/combine_kernel.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/device/routing_kernel.hpp"
#include "ulpcheck/reference/registry.hpp"
#include "ulpcheck/runs/combine/report.hpp"

namespace ulpcheck::cli {

namespace {
/// "1 ULP or 1.19e-06 s + 1.4e-44", or "-" for a format the kernel does not take.
std::string combine_claim_cell(const std::optional<CombineClaim>& c) {
  return c ? fmt::format("{} ULP or {:.3g} s + {:.2g}", c->max_ulp, c->relative, c->absolute) : "-";
}

std::string budget_cell(const std::optional<Budget>& b) {
  if (!b) return "-";
  if (b->abs_floor == 0.0) return fmt::format("{} ULP", b->max_ulp);
  return fmt::format("{} ULP, floor 2^{}", b->max_ulp, std::ilogb(b->abs_floor));
}
}  // namespace

void setup_list(CLI::App& app, int& exit_code) {
  CLI::App* sub = app.add_subcommand("list", "List ops, dtypes and kernels (with the budgets they claim)");
  auto plugins = std::make_shared<PluginOptions>();
  add_plugin_option(sub, *plugins);
  sub->callback([plugins, &exit_code] { exit_code = run_list(*plugins); });
}

int run_list(const PluginOptions& plugins) {
  load_plugins(plugins);
  fmt::print("ops:\n");
  for (const ElementwiseOp* op : all_ops()) {
    fmt::print("  {:<20} {}\n", op->name, op->formula);
    for (const ParamSpec& p : op->params)
      fmt::print("  {:<20}   --{} (default {}): {}\n", "", p.name, p.default_value, p.doc);
  }
  fmt::print("\ndtypes: bf16, fp16, fp32\n\nGPU: {}\n\nkernels (claimed budget per op and dtype):\n",
             cuda::device_description());
  for (const Kernel* k : all_kernels()) {
    fmt::print("  {}: {}\n", k->name(), k->description());
    for (const ElementwiseOp* op : all_ops()) {
      if (!k->supports(*op, Format::bf16) && !k->supports(*op, Format::fp16) && !k->supports(*op, Format::fp32))
        continue;
      fmt::print("    {:<20} bf16 {:<22} fp16 {:<22} fp32 {}\n", op->name, budget_cell(k->claim(*op, Format::bf16)),
                 budget_cell(k->claim(*op, Format::fp16)), budget_cell(k->claim(*op, Format::fp32)));
    }
  }
  fmt::print("\nrouting op:\n  {} (logits [T, E] and bias [E], each bf16, fp16 or fp32)\n    {}\n", kRoutingOpName,
             kRoutingFormula);
  const RoutingConfig v3 = RoutingConfig::deepseek_v3();
  fmt::print("\nrouting kernels (arithmetic and weight budget claimed for {}, bf16 logits):\n", v3.label());
  for (const RoutingKernel* k : all_routing_kernels()) {
    const std::optional<RoutingClaim> c = k->claim(v3, Format::bf16, Format::fp32);
    fmt::print("  {}: {}\n", k->name(), k->description());
    if (c)
      fmt::print("    arithmetic {}; weights {} ULP{}{}\n", name(c->arithmetic), c->weights.max_ulp,
                 c->weights.abs_floor > 0 ? fmt::format(", abs floor {:.3g} x scale", c->weights.abs_floor) : "",
                 c->nan_weights_when_scores_vanish ? "; NaN weights when every picked score vanishes (declared)" : "");
  }
  fmt::print("\ncombine ops:\n  {} (routed [T, k, hidden] and shared [T, hidden] in bf16, fp16 or fp32, weights "
             "[T, k] fp32)\n    {}\n  {} (router, gate_up GEMM, clamp-SiLU-and-mul, down GEMM, combine: each stage's "
             "error and the chain's)\n",
             kCombineOpName, kCombineFormula, kMoeBlockOpName);
  const CombineConfig combine{.topk = 8, .hidden = 7168, .routed_scaling_factor = 2.5};
  fmt::print("\ncombine kernels (claimed for {}; s = rsf * sum_k |w_k y_k| + |shared|):\n", combine.label());
  for (const CombineKernel* k : all_combine_kernels()) {
    fmt::print("  {}: {}\n", k->name(), k->description());
    fmt::print("    bf16 {:<32} fp16 {:<32} fp32 {}\n", combine_claim_cell(k->claim(combine, Format::bf16)),
               combine_claim_cell(k->claim(combine, Format::fp16)), combine_claim_cell(k->claim(combine, Format::fp32)));
  }
  return kExitPass;
}

}  // namespace ulpcheck::cli
