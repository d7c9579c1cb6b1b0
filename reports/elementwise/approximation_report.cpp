#include "ulpcheck/reports/elementwise/approximation_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <utility>

#include "reports/report_check.hpp"
#include "reports/report_text.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck {

// The report's number and bit formatting (report_text.hpp).
using namespace report_text;

namespace {


nlohmann::json element_json(Format f, int arity, const DifferenceAt& e) {
  nlohmann::json j{{"row", e.row},
                   {"col", e.col},
                   {"x0_bits", hex_bits(f, e.x0_bits)},
                   {"x0", number(decode(f, e.x0_bits))},
                   {"result_bits", hex_bits(f, encode(f, e.result))},
                   {"result", number(e.result)},
                   {"approx_result_bits", hex_bits(f, encode(f, e.approx_result))},
                   {"approx_result", number(e.approx_result)},
                   {"exact_hi", number(e.exact.hi)},
                   {"exact_lo", number(e.exact.lo)},
                   {"ulp_difference", number(e.ulp_difference)}};
  if (arity == 2) {
    j["x1_bits"] = hex_bits(f, e.x1_bits);
    j["x1"] = number(decode(f, e.x1_bits));
  }
  return j;
}

nlohmann::json figures_json(Format f, int arity, const DifferenceStats& s) {
  auto at = [&](const std::optional<DifferenceAt>& e) {
    nlohmann::json a = nlohmann::json::array();
    if (e) a.push_back(element_json(f, arity, *e));
    return a;
  };
  return {{"count", s.count},
          {"differ", s.differ},
          {"fraction_differ", s.fraction_differ()},
          {"compared", s.compared},
          {"in_floor_region", s.in_floor_region},
          {"above_floor", s.above_floor},
          {"differ_above_floor", s.differ_above_floor},
          {"fraction_differ_above_floor", s.fraction_differ_above_floor()},
          {"max_ulp", number(s.max_ulp)},
          {"max_ulp_above_floor", number(s.max_ulp_above_floor)},
          {"worst", at(s.worst)},
          {"worst_above_floor", at(s.worst_above_floor)}};
}

}  // namespace

nlohmann::json approximation_dtype_json(const ElementwiseOp& exact, const ApproximationFigures& fig) {
  const Format f = fig.format;
  nlohmann::json rounded = figures_json(f, exact.arity, fig.rounded);
  nlohmann::json binades = nlohmann::json::array();
  for (const DifferenceBinade& b : fig.rounded.binades)
    binades.push_back({{"sign", b.sign < 0 ? "-" : "+"},
                       {"binade", b.binade},
                       {"count", b.count},
                       {"differ", b.differ},
                       {"in_floor_region", b.in_floor_region},
                       {"max_ulp", number(b.max_ulp)},
                       {"max_ulp_above_floor", number(b.max_ulp_above_floor)}});
  rounded["binades_input"] = std::move(binades);
  nlohmann::json pairs = nlohmann::json::array();
  for (const ApproximationFigures::KernelPair& p : fig.kernel_pairs) {
    nlohmann::json j = figures_json(f, exact.arity, p.stats);
    j["exact_kernel"] = p.exact_kernel;
    j["approx_kernel"] = p.approx_kernel;
    pairs.push_back(std::move(j));
  }
  return {{"dtype", name(f)},
          {"params_label", fig.params.label()},
          {"inputs", fig.inputs},
          {"abs_floor", exact.default_budget_for(f).abs_floor},
          {"rounded", std::move(rounded)},
          {"kernel_pairs", std::move(pairs)}};
}

nlohmann::json approximation_section_json(const ElementwiseOp& exact, const ElementwiseOp& approx,
                                          const RealDifference& real, std::vector<nlohmann::json> dtypes) {
  return {{"op", approx.name},
          {"formula", approx.formula},
          {"approximates", exact.name},
          {"approximates_formula", exact.formula},
          {"arity", approx.arity},
          {"real_difference",
           {{"max_abs_difference", number(std::fabs(real.difference))},
            {"difference", number(real.difference)},
            {"x", number(real.x)},
            {"symmetric", real.symmetric},
            {"radius", number(real.radius)},
            {"step", number(real.step)}}},
          {"dtypes", std::move(dtypes)}};
}

// --- checking ----------------------------------------------------------------------------

namespace {

using report_check::check_shape;
using report_check::Field;
using report_check::Kind;
using report_check::Shape;

std::vector<Field> join(std::vector<Field> a, const std::vector<Field>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

/// "worst" and "worst_above_floor" name one element or none.
std::string at_most_one(const nlohmann::json& j, const std::string& where) {
  for (const char* key : {"worst", "worst_above_floor"})
    if (j[key].size() > 1)
      return fmt::format("{}: \"{}\" holds {} elements, expected at most one", where, key, j[key].size());
  return {};
}

/// The shapes of a section's dtypes, whose elements have a gate and an up (`gated`) or an x.
struct DtypeShapes {
  Shape element, binade, pair, rounded, dtype;

  explicit DtypeShapes(bool gated)
      : element{join(std::vector<Field>{{"row", Kind::integer}, {"col", Kind::integer}, {"x0_bits", Kind::string}, {"x0", Kind::number},
                      {"result_bits", Kind::string}, {"result", Kind::number}, {"approx_result_bits", Kind::string},
                      {"approx_result", Kind::number}, {"exact_hi", Kind::number}, {"exact_lo", Kind::number},
                      {"ulp_difference", Kind::number}},
                     gated ? std::vector<Field>{{"x1_bits", Kind::string}, {"x1", Kind::number}}
                           : std::vector<Field>{})},
        binade{{{"sign", Kind::string}, {"binade", Kind::integer}, {"count", Kind::integer}, {"differ", Kind::integer},
                {"in_floor_region", Kind::integer}, {"max_ulp", Kind::number}, {"max_ulp_above_floor", Kind::number}}},
        pair{join(std::vector<Field>{{"exact_kernel", Kind::string}, {"approx_kernel", Kind::string}}, figures()), nullptr, at_most_one},
        rounded{join(figures(), {{"binades_input", Kind::array, &binade}}), nullptr, at_most_one},
        dtype{{{"dtype", Kind::string}, {"params_label", Kind::string}, {"inputs", Kind::string},
               {"abs_floor", Kind::number}, {"rounded", Kind::object, &rounded},
               {"kernel_pairs", Kind::array, &pair}}} {}

 private:
  std::vector<Field> figures() const {
    return {{"count", Kind::integer}, {"differ", Kind::integer}, {"fraction_differ", Kind::number},
            {"compared", Kind::integer}, {"in_floor_region", Kind::integer}, {"above_floor", Kind::integer},
            {"differ_above_floor", Kind::integer}, {"fraction_differ_above_floor", Kind::number},
            {"max_ulp", Kind::number}, {"max_ulp_above_floor", Kind::number}, {"worst", Kind::array, &element},
            {"worst_above_floor", Kind::array, &element}};
  }
};

const Shape kRealDifference{{{"max_abs_difference", Kind::number}, {"difference", Kind::number}, {"x", Kind::number},
                             {"symmetric", Kind::boolean}, {"radius", Kind::number}, {"step", Kind::number}}};

const Shape kApproximationSection{{{"op", Kind::string}, {"formula", Kind::string}, {"approximates", Kind::string},
                      {"approximates_formula", Kind::string}, {"arity", Kind::integer},
                      {"real_difference", Kind::object, &kRealDifference}, {"dtypes", Kind::array}},
                     [](const nlohmann::json& s) {
                       if (!s.contains("op") || !s.contains("approximates")) return std::string();
                       return fmt::format(" ({} vs {})", s["op"].dump(), s["approximates"].dump());
                     },
                     [](const nlohmann::json& s, const std::string& where) {
                       const int a = s["arity"].get<int>();
                       if (a != 1 && a != 2) return fmt::format("{}: \"arity\" is {}, expected 1 or 2", where, a);
                       static const DtypeShapes unary(false), gated(true);
                       std::size_t i = 0;
                       for (const nlohmann::json& d : s["dtypes"])
                         if (std::string p = check_shape(d, fmt::format("{}.dtypes[{}]", where, i++),
                                                         (a == 2 ? gated : unary).dtype);
                             !p.empty())
                           return p;
                       return std::string();
                     }};

}  // namespace

std::string check_approximation_section(const nlohmann::json& s, const std::string& at) {
  return check_shape(s, at, kApproximationSection);
}

// --- Markdown ------------------------------------------------------------------------------

namespace {

/// An input as a person reads it: "-5 (`0xc0a0`)", gated "gate -5 (`0xc0a0`), up 2 (`0x4000`)".
std::string input_text(const nlohmann::json& e, bool gated) {
  const std::string x0 = fmt::format("{:.9g} (`{}`)", to_double(e.at("x0")), str(e, "x0_bits"));
  if (!gated) return "x = " + x0;
  return fmt::format("gate {}, up {:.9g} (`{}`)", x0, to_double(e.at("x1")), str(e, "x1_bits"));
}

/// Where a maximum is reached: the input, the two results and the exact value.
std::string where_text(const nlohmann::json& worst, bool gated, const std::string& a, const std::string& b) {
  if (worst.empty()) return "-";
  const nlohmann::json& e = worst[0];
  return fmt::format("{}: {} {:.6g}, {} {:.6g}, exact {:.6g}", input_text(e, gated), a, to_double(e.at("result")), b,
                     to_double(e.at("approx_result")), to_double(e.at("exact_hi")));
}

/// The floor of each dtype: "2^-21 = 4.77e-07", or "bf16 2^-21 = 4.77e-07, fp32 ..." when
/// they differ.
std::string floors_text(const nlohmann::json& dtypes) {
  std::string all, first;
  bool same = true;
  for (const nlohmann::json& d : dtypes) {
    const double a = to_double(d.at("abs_floor"));
    const std::string one = a > 0 && std::isfinite(a) ? fmt::format("2^{} = {:.3g}", std::ilogb(a), a) : fmt::format("{:g}", a);
    if (first.empty()) first = one;
    same = same && one == first;
    all += fmt::format("{}{} {}", all.empty() ? "" : ", ", str(d, "dtype"), one);
  }
  return same ? first : all;
}

}  // namespace

KernelMatrix kernel_matrix(const nlohmann::json& pairs) {
  KernelMatrix m;
  auto index = [](std::vector<std::string>& names, const std::string& n) {
    const auto it = std::find(names.begin(), names.end(), n);
    if (it != names.end()) return static_cast<std::size_t>(it - names.begin());
    names.push_back(n);
    return names.size() - 1;
  };
  std::vector<std::pair<std::pair<std::size_t, std::size_t>, const nlohmann::json*>> at;
  for (const nlohmann::json& p : pairs)
    at.push_back({{index(m.exact_kernels, str(p, "exact_kernel")), index(m.approx_kernels, str(p, "approx_kernel"))},
                  &p});
  m.cells.assign(m.exact_kernels.size(), std::vector<const nlohmann::json*>(m.approx_kernels.size(), nullptr));
  for (const auto& [ij, p] : at) m.cells[ij.first][ij.second] = p;
  return m;
}

std::string render_approximation_markdown(const nlohmann::json& s, int level) {
  using report_text::ulp;
  const std::string h(static_cast<std::size_t>(std::clamp(level, 1, 5)), '#');
  const std::string op = str(s, "op"), exact = str(s, "approximates");
  const bool gated = s.at("arity") == 2;
  const nlohmann::json& real = s.at("real_difference");
  std::string out = fmt::format("{} {} vs {}\n\n", h, op, exact);
  out += fmt::format("`{}` approximates `{}`: what running one where the other is meant costs, on this report's "
                     "inputs.\n\n",
                     op, exact);
  out += fmt::format("- `{}`: {}\n- `{}`: {}\n", exact, str(s, "approximates_formula"), op, str(s, "formula"));
  const double x = to_double(real.at("x"));
  out += fmt::format("- real functions: max |{} - {}| = {:.4e}{} at {} = {}{:.6g} ({} {} {} there); sought over "
                     "[-{:g}, {:g}] to a step of 2^{}\n",
                     op, exact, to_double(real.at("max_abs_difference")), gated ? " per unit of up" : "",
                     gated ? "gate" : "x", real.at("symmetric").get<bool>() ? "+-" : "",
                     real.at("symmetric").get<bool>() ? std::fabs(x) : x, op,
                     to_double(real.at("difference")) > 0 ? "above" : "below", exact, to_double(real.at("radius")),
                     to_double(real.at("radius")), std::ilogb(to_double(real.at("step"))));
  out += '\n';

  const nlohmann::json& dtypes = s.at("dtypes");
  out += fmt::format("Correctly rounded results: how often `{0}` and `{1}` round to different values, and how far the "
                     "correctly rounded `{0}` is from the exact `{1}`, in ULP of the exact `{1}` (where they round "
                     "alike, at most 0.5). The floor region is where |exact `{1}`| is below `{1}`'s budget floor{2} "
                     "({3}): the negative tail and inputs near 0.\n\n",
                     op, exact, gated ? " times |up|" : "", floors_text(dtypes));
  out += "| dtype | inputs | results differ | outside the floor region | max ULP difference | outside the floor "
         "region | where (outside the floor region) |\n|---|---|---:|---:|---:|---:|---|\n";
  for (const nlohmann::json& d : dtypes) {
    const nlohmann::json& r = d.at("rounded");
    const std::string& label = d.at("params_label").get_ref<const std::string&>();
    out += fmt::format("| {}{} | {} | {} | {} | {} | {} | {} |\n", str(d, "dtype"), label.empty() ? "" : " " + label,
                       str(d, "inputs"), share(r, "differ", "count"), share(r, "differ_above_floor", "above_floor"),
                       ulp(to_double(r.at("max_ulp"))), ulp(to_double(r.at("max_ulp_above_floor"))),
                       where_text(r.at("worst_above_floor"), gated, exact, op));
  }
  out += '\n';
  for (const nlohmann::json& d : dtypes) {
    if (d.at("kernel_pairs").empty()) continue;
    const std::string& label = d.at("params_label").get_ref<const std::string&>();
    const KernelMatrix m = kernel_matrix(d.at("kernel_pairs"));
    out += fmt::format("Kernels, {}{}: the output of each `{}` kernel (row) against each `{}` kernel (column) on the "
                       "same inputs: the share of outputs that differ, then the largest difference |a - b| in ULP of "
                       "the exact `{}`, over all outputs and (in parentheses) outside the floor region.\n\n",
                       str(d, "dtype"), label.empty() ? "" : " " + label, exact, op, exact);
    out += fmt::format("| {} \\ {} |", exact, op);
    for (const std::string& k : m.approx_kernels) out += fmt::format(" {} |", k);
    out += "\n|---|";
    for (std::size_t j = 0; j < m.approx_kernels.size(); ++j) out += "---:|";
    out += '\n';
    for (std::size_t i = 0; i < m.exact_kernels.size(); ++i) {
      out += fmt::format("| {} |", m.exact_kernels[i]);
      for (std::size_t j = 0; j < m.approx_kernels.size(); ++j) {
        const nlohmann::json* p = m.cells[i][j];
        out += p ? fmt::format(" {}, {} ({}) |", report_text::percent(to_double(p->at("fraction_differ"))),
                               ulp(to_double(p->at("max_ulp"))), ulp(to_double(p->at("max_ulp_above_floor"))))
                 : " - |";
      }
      out += '\n';
    }
    out += '\n';
  }
  return out;
}

}  // namespace ulpcheck
