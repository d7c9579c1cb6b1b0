// The routing family's fuzz runs: every routing property on every kernel, per logits dtype
// with the bias in that dtype and, for 16-bit logits, in fp32 as checkpoints store it.
#include <algorithm>

#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/reference/routing.hpp"
#include "ulpcheck/runs/fuzz.hpp"

namespace ulpcheck {

namespace {

/// The (logits, bias) formats routing is fuzzed in for a logits dtype.
std::vector<std::pair<Format, Format>> routing_formats(Format logits) {
  if (logits == Format::fp32) return {{logits, logits}};
  return {{logits, logits}, {logits, Format::fp32}};
}

/// Whether the kernel takes these formats in some configuration: fuzzing formats it never
/// takes would discard every case (a plugin may declare fewer dtypes than the built-ins).
bool takes_formats(const RoutingKernel& k, Format logits, Format bias) {
  RoutingConfig small;
  small.experts = 16;
  small.n_group = 4;
  small.topk_group = 2;
  small.topk = 3;
  for (RoutingConfig c : {RoutingConfig::deepseek_v3(), small})
    for (Scoring scoring : {Scoring::sigmoid, Scoring::softmax}) {
      c.scoring = scoring;
      if (k.claim(c, logits, bias)) return true;
    }
  return false;
}

}  // namespace

bool owns_op(RoutingFamily, std::string_view op) { return op == kRoutingOpName; }

std::vector<std::string> op_names_of(RoutingFamily) { return {std::string(kRoutingOpName)}; }

std::string op_name(const FuzzRunOf<RoutingFamily>&) { return std::string(kRoutingOpName); }

void add_fuzz_runs(RoutingFamily, const FuzzSelection& s, std::vector<FuzzRun>& out) {
  const bool named = s.ops.empty() || std::ranges::find(s.ops, kRoutingOpName) != s.ops.end();
  if (!named) return;
  for (const RoutingKernel* k : s.kernels.routing)
    for (Format f : s.formats)
      for (const auto& [logits, bias] : routing_formats(f)) {
        if (!takes_formats(*k, logits, bias)) continue;
        for (const RoutingFuzzProperty& p : all_routing_fuzz_properties())
          out.push_back(FuzzRunOf<RoutingFamily>{{k, logits, bias}, &p});
      }
}

void add_property_names(RoutingFamily, std::vector<std::string_view>& out) {
  for (const RoutingFuzzProperty& p : all_routing_fuzz_properties()) out.push_back(p.name);
}

std::optional<FuzzRun> find_fuzz_run(RoutingFamily, const std::string& id) {
  for (const RoutingKernel* k : all_routing_kernels())
    for (Format logits : all_formats())
      for (Format bias : all_formats())
        for (const RoutingFuzzProperty& p : all_routing_fuzz_properties())
          if (routing_fuzz_id({k, logits, bias}, p) == id) return FuzzRunOf<RoutingFamily>{{k, logits, bias}, &p};
  return std::nullopt;
}

}  // namespace ulpcheck
