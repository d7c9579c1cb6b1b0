#include "ulpcheck/golden/elementwise/golden_file.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <set>
#include <tuple>

#include "golden/digest.hpp"
#include "golden/hdf5_io.hpp"
#include "golden/root_attributes.hpp"
#include "ulpcheck/golden/elementwise/regen.hpp"
#include "ulpcheck/properties/measure.hpp"
#include "ulpcheck/reference/registry.hpp"
#include "ulpcheck/reference/routing.hpp"
#include "ulpcheck/reference/combine.hpp"

namespace ulpcheck::golden {

namespace {

using namespace h5;

void write_elements(hid_t g, const Elements& e, int arity) {
  dataset(g, "x0_bits", e.x0_bits);
  if (arity == 2) dataset(g, "x1_bits", e.x1_bits);
  dataset(g, "exact_hi", e.exact_hi);
  dataset(g, "exact_lo", e.exact_lo);
  dataset(g, "rounded_bits", e.rounded_bits);
}

void write_params(hid_t g, const Params& p) {
  attr_string(g, "params", p.to_string());
  for (const auto& [k, v] : p.values()) attr_double(g, k.c_str(), v);
}

void write_file(const std::string& path, const GoldenFile& f) {
  Handle file = create_file(path);
  Handle root = root_for_writing(file.get());
  write_identity(root.get(), f);
  attr_int64(root.get(), "arity", f.arity);
  write_provenance(root.get(), f);

  std::set<std::string> dtype_groups;
  auto dtype_group = [&](Format fmt) {
    const std::string n(name(fmt));
    if (dtype_groups.insert(n).second) {
      Handle g = create_group(file.get(), "/" + n);
      attr_string(g.get(), "dtype", n);
    }
    return "/" + n;
  };
  for (const GoldenCase& c : f.cases) {
    Handle g = create_group(file.get(), dtype_group(c.format) + "/" + c.name);
    attr_string(g.get(), "dtype", std::string(name(c.format)));
    write_params(g.get(), c.params);
    attr_uint64(g.get(), "seed", c.seed);
    attr_int64(g.get(), "samples", c.samples);
    attr_string(g.get(), "input", c.input);
    write_elements(g.get(), c.data, f.arity);
    Handle kg = create_group(g.get(), "kernels");
    for (const KernelFigures& k : c.kernels) {
      Handle h = create_group(kg.get(), k.kernel);
      attr_double(h.get(), "budget_max_ulp", k.budget_max_ulp);
      attr_double(h.get(), "budget_abs_floor", k.budget_abs_floor);
      attr_double(h.get(), "max_ulp", k.max_ulp);
      attr_double(h.get(), "max_ulp_above_floor", k.max_ulp_above_floor);
      attr_double(h.get(), "p50", k.p50);
      attr_double(h.get(), "p99", k.p99);
      attr_double(h.get(), "p999", k.p999);
      attr_double(h.get(), "frac_correctly_rounded", k.frac_correctly_rounded);
      attr_int64(h.get(), "budget_breaches", k.budget_breaches);
      attr_int64(h.get(), "semantic_violations", k.semantic_violations);
      dataset(h.get(), "worst_index", k.worst_index);
    }
  }
  for (const Corpus& c : f.corpora) {
    Handle g = create_group(file.get(), dtype_group(c.format) + "/corpus");
    attr_string(g.get(), "dtype", std::string(name(c.format)));
    std::string names;
    for (const std::string& n : c.param_names) names += (names.empty() ? "" : ",") + n;
    attr_string(g.get(), "param_names", names);
    write_elements(g.get(), c.data, f.arity);
    for (std::size_t i = 0; i < c.param_names.size(); ++i)
      dataset(g.get(), ("param_" + c.param_names[i]).c_str(), c.param_values[i]);
  }
  write_digests(file.get());
  flush(file.get());
}

// Reading ------------------------------------------------------------

void read_elements(const Ctx& ctx, hid_t g, const std::string& gp, int arity, Elements& e) {
  e.x0_bits = read_dataset<std::uint32_t>(ctx, g, gp, "x0_bits");
  if (arity == 2) e.x1_bits = read_dataset<std::uint32_t>(ctx, g, gp, "x1_bits");
  e.exact_hi = read_dataset<double>(ctx, g, gp, "exact_hi");
  e.exact_lo = read_dataset<double>(ctx, g, gp, "exact_lo");
  e.rounded_bits = read_dataset<std::uint32_t>(ctx, g, gp, "rounded_bits");
  const std::size_t n = e.x0_bits.size();
  auto agree = [&](const char* name, std::size_t got) {
    if (got != n)
      ctx.fail(join_path(gp, name), fmt::format("has {} rows, expected {} (the length of {}/x0_bits)", got, n, gp));
  };
  if (arity == 2) agree("x1_bits", e.x1_bits.size());
  agree("exact_hi", e.exact_hi.size());
  agree("exact_lo", e.exact_lo.size());
  agree("rounded_bits", e.rounded_bits.size());
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < s.size()) {
    const std::size_t end = s.find(',', start);
    out.push_back(s.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

}  // namespace

Params Corpus::params_of(std::size_t row) const {
  Params p;
  for (std::size_t i = 0; i < param_names.size(); ++i) p.set(param_names[i], param_values[i][row]);
  return p;
}

void write_golden(const std::string& path, const GoldenFile& file, const std::function<void()>& before_rename) {
  write_atomically(path, [&](const std::string& tmp) { write_file(tmp, file); }, before_rename);
}

namespace {

GoldenFile read_elementwise_file(const std::string& path) {
  Ctx ctx{path, op_of_path(path), {}};
  Handle file = open_file(ctx);
  Handle root = open_root(ctx, file.get());

  GoldenFile f;
  read_root(ctx, root.get(), f);
  ctx.op = f.op;
  const ElementwiseOp* op = find_op(f.op);
  if (!op && f.op == kRoutingOpName)
    ctx.fail("/", fmt::format("names op '{}', whose files follow the routing layout; read it with read_routing_golden",
                              f.op));
  if (!op && f.op == kCombineOpName)
    ctx.fail("/", fmt::format("names op '{}', whose files follow the MoE combine layout; read it with "
                              "read_combine_golden",
                              f.op));
  if (!op) ctx.fail("/", fmt::format("names op '{}', which this build does not know; expected one of {}", f.op, op_names()));
  f.arity = op->arity;
  if (const std::int64_t arity = read_attr_int64(ctx, root.get(), "/", "arity"); arity != op->arity)
    ctx.fail("/", fmt::format("has arity {}, expected {} (the arity of {})", arity, op->arity, f.op));

  for (const std::string& dt : members(root.get())) {
    const auto fmt_ = parse_format(dt);
    if (!fmt_) ctx.fail("/" + dt, "is not a dtype group (expected bf16, fp16 or fp32)");
    Handle dg = open_group(ctx, root.get(), "/", dt);
    if (const std::string dtype = read_attr_string(ctx, dg.get(), "/" + dt, "dtype"); dtype != dt)
      ctx.fail("/" + dt, fmt::format("has dtype attribute '{}', expected '{}'", dtype, dt));
    for (const std::string& cn : members(dg.get())) {
      const std::string gp = "/" + dt + "/" + cn;
      Handle g = open_group(ctx, dg.get(), "/" + dt, cn);
      if (cn == "corpus") {
        Corpus c;
        c.format = *fmt_;
        if (const std::string dtype = read_attr_string(ctx, g.get(), gp, "dtype"); dtype != dt)
          ctx.fail(gp, fmt::format("has dtype attribute '{}', expected '{}'", dtype, dt));
        c.param_names = split_commas(read_attr_string(ctx, g.get(), gp, "param_names"));
        std::vector<std::string> want;
        for (const ParamSpec& ps : op->params) want.emplace_back(ps.name);
        if (c.param_names != want)
          ctx.fail(gp, fmt::format("has param_names '{}', expected '{}' (the parameters of {})",
                                   read_attr_string(ctx, g.get(), gp, "param_names"), fmt::join(want, ","), f.op));
        read_elements(ctx, g.get(), gp, f.arity, c.data);
        for (const std::string& pn : c.param_names) {
          c.param_values.push_back(read_dataset<double>(ctx, g.get(), gp, "param_" + pn));
          if (c.param_values.back().size() != c.data.size())
            ctx.fail(gp + "/param_" + pn,
                     fmt::format("has {} rows, expected {}", c.param_values.back().size(), c.data.size()));
        }
        f.corpora.push_back(std::move(c));
        continue;
      }
      GoldenCase c;
      c.format = *fmt_;
      c.name = cn;
      const std::string dtype = read_attr_string(ctx, g.get(), gp, "dtype");
      if (dtype != dt) ctx.fail(gp, fmt::format("has dtype attribute '{}', expected '{}'", dtype, dt));
      for (const ParamSpec& ps : op->params) {
        const std::string pn(ps.name);
        c.params.set(pn, read_attr_double(ctx, g.get(), gp, pn.c_str()));
      }
      c.params_label = read_attr_string(ctx, g.get(), gp, "params");
      c.seed = read_attr_uint64(ctx, g.get(), gp, "seed");
      c.samples = read_attr_int64(ctx, g.get(), gp, "samples");
      c.input = read_attr_string(ctx, g.get(), gp, "input");
      read_elements(ctx, g.get(), gp, f.arity, c.data);
      Handle kg = open_group(ctx, g.get(), gp, "kernels");
      for (const std::string& kn : members(kg.get())) {
        const std::string kp = gp + "/kernels/" + kn;
        Handle h = open_group(ctx, kg.get(), gp + "/kernels", kn);
        KernelFigures k;
        k.kernel = kn;
        k.budget_max_ulp = read_attr_double(ctx, h.get(), kp, "budget_max_ulp");
        k.budget_abs_floor = read_attr_double(ctx, h.get(), kp, "budget_abs_floor");
        k.max_ulp = read_attr_double(ctx, h.get(), kp, "max_ulp");
        k.max_ulp_above_floor = read_attr_double(ctx, h.get(), kp, "max_ulp_above_floor");
        k.p50 = read_attr_double(ctx, h.get(), kp, "p50");
        k.p99 = read_attr_double(ctx, h.get(), kp, "p99");
        k.p999 = read_attr_double(ctx, h.get(), kp, "p999");
        k.frac_correctly_rounded = read_attr_double(ctx, h.get(), kp, "frac_correctly_rounded");
        k.budget_breaches = read_attr_int64(ctx, h.get(), kp, "budget_breaches");
        k.semantic_violations = read_attr_int64(ctx, h.get(), kp, "semantic_violations");
        k.worst_index = read_dataset<std::int64_t>(ctx, h.get(), kp, "worst_index");
        for (std::int64_t i : k.worst_index)
          if (i < 0 || static_cast<std::size_t>(i) >= c.data.size())
            ctx.fail(kp + "/worst_index", fmt::format("holds index {}, outside [0, {})", i, c.data.size()));
        c.kernels.push_back(std::move(k));
      }
      f.cases.push_back(std::move(c));
    }
  }
  if (f.cases.empty() && f.corpora.empty()) ctx.fail("/", "holds no cases (expected /<dtype>/<case> groups)");
  return f;
}

}  // namespace

GoldenFile read_golden(const std::string& path) {
  return read_surviving_hdf5(Ctx{path, op_of_path(path), {}}, [&] { return read_elementwise_file(path); });
}

}  // namespace ulpcheck::golden
