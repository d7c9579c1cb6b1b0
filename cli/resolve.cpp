#include "cli/resolve.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "cli/usage_error.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck::cli {

const ElementwiseOp& resolve_op(const std::string& name) {
  if (const ElementwiseOp* op = find_op(name)) return *op;
  throw UsageError(fmt::format("--op {}: no such op; expected one of {} (see 'ulpcheck list')", name, op_names()));
}

Format resolve_format(const std::string& text) {
  if (auto f = parse_format(text)) return *f;
  throw UsageError(fmt::format("--dtype {}: no such dtype; expected bf16, fp16 or fp32", text));
}

const Kernel& resolve_kernel(const std::string& name, const ElementwiseOp& op, Format f) {
  const Kernel* k = name.empty() ? default_kernel(op, f) : find_kernel(name);
  if (!k) {
    if (name.empty()) throw UsageError(fmt::format("no kernel implements {} in {}", op.name, ulpcheck::name(f)));
    throw UsageError(fmt::format("--kernel {}: no such kernel; expected one of {} (see 'ulpcheck list')", name,
                                 kernel_names()));
  }
  if (!k->supports(op, f))
    throw UsageError(fmt::format("--kernel {} does not implement {} in {}; 'ulpcheck list' shows what each kernel "
                                 "implements",
                                 k->name(), op.name, ulpcheck::name(f)));
  return *k;
}

KernelSelection resolve_kernels(const std::vector<std::string>& names) {
  KernelSelection out;
  for (const std::string& n : names) {
    if (const Kernel* k = find_kernel(n)) out.elementwise.push_back(k);
    else if (const RoutingKernel* r = find_routing_kernel(n)) out.routing.push_back(r);
    else
      throw UsageError(fmt::format("--kernel {}: no such kernel; expected one of {} (see 'ulpcheck list')", n,
                                   kernel_names()));
  }
  if (names.empty()) {
    out.elementwise = runnable_kernels();
    out.routing = runnable_routing_kernels();
  }
  return out;
}

Params resolve_params(const ElementwiseOp& op, const std::optional<std::string>& limit) {
  Params p = op.default_params();
  if (!limit) return p;
  if (!p.has("limit"))
    throw UsageError(fmt::format("--limit {}: {} takes no limit; silu_and_mul_clamp does", *limit, op.name));
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(limit->c_str(), &end);
  if (limit->empty() || *end != '\0')
    throw UsageError(fmt::format("--limit {}: not a number (examples: 10, 7.3, 0, inf)", *limit));
  if (errno == ERANGE)
    throw UsageError(fmt::format("--limit {}: outside the range of a double; give a number >= 0 within fp32's "
                                 "range, or inf for no clamp",
                                 *limit));
  // Kernels receive the limit as a float, so the oracle uses that float exactly. Rounding
  // must not change what the limit means: a finite limit may not become inf (no clamp),
  // nor a positive one 0 (everything clamped to 0). -0 is taken as 0.
  double as_fp32 = std::isnan(v) ? v : static_cast<double>(static_cast<float>(v));
  if (as_fp32 == 0.0) as_fp32 = 0.0;
  if (std::isfinite(v) && std::isinf(as_fp32))
    throw UsageError(fmt::format("--limit {}: beyond fp32's largest value 3.40282347e+38; use inf for no clamp",
                                 *limit));
  if (v > 0.0 && as_fp32 == 0.0)
    throw UsageError(fmt::format("--limit {}: below fp32's smallest subnormal 1.4e-45, so it would clamp "
                                 "everything to 0; use 0 if that is meant",
                                 *limit));
  for (const ParamSpec& spec : op.params)
    if (spec.name == "limit")
      if (std::string problem = spec.validate(as_fp32); !problem.empty())
        throw UsageError(fmt::format("--limit {}: {}", *limit, problem));
  p.set("limit", as_fp32);
  return p;
}

}  // namespace ulpcheck::cli
