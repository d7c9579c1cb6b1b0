#include "ulpcheck/runs/resolve.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/reference/registry.hpp"
#include "ulpcheck/runs/request_error.hpp"

namespace ulpcheck {

namespace {

const ParamSpec* find_spec(const ElementwiseOp& op, std::string_view name) {
  const auto it = std::ranges::find(op.params, name, &ParamSpec::name);
  return it == op.params.end() ? nullptr : &*it;
}

/// The ops that take a parameter of this name, "a, b".
std::string ops_taking(std::string_view param) {
  std::string out;
  for (const ElementwiseOp* op : all_ops())
    if (find_spec(*op, param)) out += (out.empty() ? "" : ", ") + std::string(op->name);
  return out;
}

}  // namespace

const ElementwiseOp& resolve_op(const std::string& name) {
  if (const ElementwiseOp* op = find_op(name)) return *op;
  throw RequestError(fmt::format("--op {}: no such op; expected one of {} (see 'ulpcheck list')", name, op_names()));
}

Format resolve_format(const std::string& text) {
  if (auto f = parse_format(text)) return *f;
  throw RequestError(fmt::format("--dtype {}: no such dtype; expected bf16, fp16 or fp32", text));
}

const Kernel& resolve_kernel(const std::string& name, const ElementwiseOp& op, Format f) {
  const Kernel* k = name.empty() ? default_kernel(op, f) : find_kernel(name);
  if (!k) {
    if (name.empty()) throw RequestError(fmt::format("no kernel implements {} in {}", op.name, ulpcheck::name(f)));
    throw RequestError(fmt::format("--kernel {}: no such kernel; expected one of {} (see 'ulpcheck list')", name,
                                   kernel_names()));
  }
  if (!k->supports(op, f))
    throw RequestError(fmt::format("--kernel {} does not implement {} in {}; 'ulpcheck list' shows what each kernel "
                                   "implements",
                                   k->name(), op.name, ulpcheck::name(f)));
  return *k;
}

KernelSelection resolve_kernels(const std::vector<std::string>& names) {
  KernelSelection out;
  for (const std::string& n : names) {
    if (const Kernel* k = find_kernel(n)) out.elementwise.push_back(k);
    else if (const RoutingKernel* r = find_routing_kernel(n)) out.routing.push_back(r);
    else if (const CombineKernel* c = find_combine_kernel(n)) out.combine.push_back(c);
    else
      throw RequestError(fmt::format("--kernel {}: no such kernel; expected one of {} (see 'ulpcheck list')", n,
                                     kernel_names()));
  }
  if (names.empty()) {
    out.elementwise = runnable_kernels();
    out.routing = runnable_routing_kernels();
    out.combine = runnable_combine_kernels();
  }
  return out;
}

double resolve_param_value(const ParamSpec& spec, const std::string& text) {
  const std::string flag = fmt::format("--{} {}", spec.name, text);
  const std::string infinity = spec.infinity_means.empty() ? "" : fmt::format(", or inf for {}", spec.infinity_means);
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0')
    throw RequestError(fmt::format("{}: not a number{}", flag,
                                   spec.examples.empty() ? "" : fmt::format(" (examples: {})", spec.examples)));
  if (errno == ERANGE)
    throw RequestError(fmt::format("{}: outside the range of a double; give a number within fp32's range{}", flag,
                                   infinity));
  double received = v;
  if (spec.carrier == ParamCarrier::fp32) {
    // The kernel receives a float, so the checks use that float exactly. Rounding must not
    // change what the value means: a finite value may not become inf, nor a positive one 0,
    // where those mean something of their own. -0 is taken as 0.
    received = std::isnan(v) ? v : static_cast<double>(static_cast<float>(v));
    if (received == 0.0) received = 0.0;
    if (std::isfinite(v) && std::isinf(received))
      throw RequestError(fmt::format("{}: beyond fp32's largest value 3.40282347e+38{}", flag,
                                     spec.infinity_means.empty() ? ""
                                                                 : fmt::format("; use inf for {}", spec.infinity_means)));
    if (v > 0.0 && received == 0.0 && !spec.zero_means.empty())
      throw RequestError(fmt::format("{}: below fp32's smallest subnormal 1.4e-45, so it would {}; use 0 if that is "
                                     "meant",
                                     flag, spec.zero_means));
  }
  if (std::string problem = spec.validate(received); !problem.empty())
    throw RequestError(fmt::format("--{} {}: {}", spec.name, text, problem));
  return received;
}

std::string param_not_taken(std::string_view op_name, const std::string& param, const std::string& text) {
  const std::string takers = ops_taking(param);
  return fmt::format("--{} {}: {} takes no {}{}", param, text, op_name, param,
                     takers.empty() ? "" : fmt::format("; {} {}", takers, takers.find(',') == std::string::npos ? "does" : "do"));
}

bool takes_params(const ElementwiseOp& op, const ParamValues& given) {
  return std::ranges::all_of(given, [&](const auto& entry) { return find_spec(op, entry.first) != nullptr; });
}

Params resolve_params(const ElementwiseOp& op, const ParamValues& given) {
  Params p = op.default_params();
  for (const auto& [name, text] : given) {
    const ParamSpec* spec = find_spec(op, name);
    if (!spec) throw RequestError(param_not_taken(op.name, name, text));
    p.set(name, resolve_param_value(*spec, text));
  }
  return p;
}

std::string all_op_names() {
  std::string out;
  Families::for_each([&](auto family) {
    for (const std::string& n : op_names_of(family)) out += (out.empty() ? "" : ", ") + n;
  });
  return out;
}

void require_known_op(const std::string& name) {
  bool owned = false;
  Families::for_each([&](auto family) { owned = owned || owns_op(family, name); });
  if (!owned)
    throw RequestError(fmt::format("--op {}: no such op; expected one of {} (see 'ulpcheck list')", name, all_op_names()));
}

}  // namespace ulpcheck
