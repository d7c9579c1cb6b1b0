#include "ulpcheck/reports/elementwise/approximation_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <utility>

#include "reports/elementwise/approximation_document.hpp"
#include "reports/elementwise/approximation_tables.hpp"
#include "reports/report_check.hpp"
#include "reports/report_text.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck {

// The report's number and bit formatting (report_text.hpp).
using namespace report_text;

namespace {

namespace approx_doc = approximation_document;

approx_doc::Difference difference_doc(Format f, int arity, const DifferenceAt& e) {
  approx_doc::Difference d;
  d.row = e.row;
  d.col = e.col;
  d.x0_bits = hex_bits(f, e.x0_bits);
  d.x0 = {decode(f, e.x0_bits)};
  d.result_bits = hex_bits(f, encode(f, e.result));
  d.result = {e.result};
  d.approx_result_bits = hex_bits(f, encode(f, e.approx_result));
  d.approx_result = {e.approx_result};
  d.exact_hi = {e.exact.hi};
  d.exact_lo = {e.exact.lo};
  d.ulp_difference = {e.ulp_difference};
  if (arity == 2) {
    d.x1_bits = hex_bits(f, e.x1_bits);
    d.x1 = {decode(f, e.x1_bits)};
  }
  return d;
}

approx_doc::Figures figures_doc(Format f, int arity, const DifferenceStats& s) {
  auto at = [&](const std::optional<DifferenceAt>& e) {
    std::vector<approx_doc::Difference> a;
    if (e) a.push_back(difference_doc(f, arity, *e));
    return a;
  };
  approx_doc::Figures out;
  out.count = s.count;
  out.differ = s.differ;
  out.fraction_differ = {s.fraction_differ()};
  out.compared = s.compared;
  out.in_floor_region = s.in_floor_region;
  out.above_floor = s.above_floor;
  out.differ_above_floor = s.differ_above_floor;
  out.fraction_differ_above_floor = {s.fraction_differ_above_floor()};
  out.max_ulp = {s.max_ulp};
  out.max_ulp_above_floor = {s.max_ulp_above_floor};
  out.worst = at(s.worst);
  out.worst_above_floor = at(s.worst_above_floor);
  return out;
}

}  // namespace

nlohmann::json approximation_dtype_json(const ElementwiseOp& exact, const ApproximationFigures& fig) {
  const Format f = fig.format;
  approx_doc::Dtype d{std::string(name(f)), fig.params.label(), fig.inputs, {exact.default_budget_for(f).abs_floor},
                      {figures_doc(f, exact.arity, fig.rounded), {}}, {}};
  for (const DifferenceBinade& b : fig.rounded.binades)
    d.rounded.binades_input.push_back({b.sign < 0 ? "-" : "+", b.binade, b.count, b.differ, b.in_floor_region,
                                       {b.max_ulp}, {b.max_ulp_above_floor}});
  for (const ApproximationFigures::KernelPair& p : fig.kernel_pairs)
    d.kernel_pairs.push_back({figures_doc(f, exact.arity, p.stats), p.exact_kernel, p.approx_kernel});
  return d;
}

nlohmann::json approximation_section_json(const ElementwiseOp& exact, const ElementwiseOp& approx,
                                          const RealDifference& real, std::vector<nlohmann::json> dtypes) {
  approx_doc::Section s{std::string(approx.name), std::string(approx.formula), std::string(exact.name),
                        std::string(exact.formula), approx.arity,
                        {{std::fabs(real.difference)}, {real.difference}, {real.x}, real.symmetric, {real.radius},
                         {real.step}},
                        {}};
  for (const nlohmann::json& d : dtypes) s.dtypes.push_back(d.get<approx_doc::Dtype>());
  return s;
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

/// The floor of each dtype: "2^-21 = 4.77e-07", or "bf16 2^-21 = 4.77e-07, fp32 ..." when
/// they differ.
std::string floors_text(const std::vector<approx_doc::Dtype>& dtypes) {
  std::string all, first;
  bool same = true;
  for (const approx_doc::Dtype& d : dtypes) {
    const double a = d.abs_floor.value;
    const std::string one = a > 0 && std::isfinite(a) ? fmt::format("2^{} = {:.3g}", std::ilogb(a), a) : fmt::format("{:g}", a);
    if (first.empty()) first = one;
    same = same && one == first;
    all += fmt::format("{}{} {}", all.empty() ? "" : ", ", d.dtype, one);
  }
  return same ? first : all;
}

}  // namespace

std::string render_approximation_markdown(const nlohmann::json& section, int level) {
  const auto s = section.get<approx_doc::Section>();
  const std::string h(static_cast<std::size_t>(std::clamp(level, 1, 5)), '#');
  const std::string& op = s.op;
  const std::string& exact = s.approximates;
  const bool gated = s.arity == 2;
  const approx_doc::RealDifference& real = s.real_difference;
  std::string out = fmt::format("{} {} vs {}\n\n", h, op, exact);
  out += fmt::format("`{}` approximates `{}`: what running one where the other is meant costs, on this report's "
                     "inputs.\n\n",
                     op, exact);
  out += fmt::format("- `{}`: {}\n- `{}`: {}\n", exact, s.approximates_formula, op, s.formula);
  const double x = real.x.value;
  out += fmt::format("- real functions: max |{} - {}| = {:.4e}{} at {} = {}{:.6g} ({} {} {} there); sought over "
                     "[-{:g}, {:g}] to a step of 2^{}\n",
                     op, exact, real.max_abs_difference.value, gated ? " per unit of up" : "", gated ? "gate" : "x",
                     real.symmetric ? "+-" : "", real.symmetric ? std::fabs(x) : x, op,
                     real.difference.value > 0 ? "above" : "below", exact, real.radius.value, real.radius.value,
                     std::ilogb(real.step.value));
  out += '\n';

  out += fmt::format("Correctly rounded results: how often `{0}` and `{1}` round to different values, and how far the "
                     "correctly rounded `{0}` is from the exact `{1}`, in ULP of the exact `{1}` (where they round "
                     "alike, at most 0.5). The floor region is where |exact `{1}`| is below `{1}`'s budget floor{2} "
                     "({3}): the negative tail and inputs near 0.\n\n",
                     op, exact, gated ? " times |up|" : "", floors_text(s.dtypes));
  out += report_table::render_markdown(approximation_tables::rounded(s));
  for (const approx_doc::Dtype& d : s.dtypes) {
    if (d.kernel_pairs.empty()) continue;
    out += fmt::format("Kernels, {}{}: the output of each `{}` kernel (row) against each `{}` kernel (column) on the "
                       "same inputs: the share of outputs that differ, then the largest difference |a - b| in ULP of "
                       "the exact `{}`, over all outputs and (in parentheses) outside the floor region.\n\n",
                       d.dtype, d.params_label.empty() ? "" : " " + d.params_label, exact, op, exact);
    out += report_table::render_markdown(approximation_tables::kernels(s, d));
  }
  return out;
}

}  // namespace ulpcheck
