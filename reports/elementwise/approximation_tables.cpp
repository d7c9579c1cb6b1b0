#include "reports/elementwise/approximation_tables.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "ulpcheck/support/escape.hpp"

namespace ulpcheck::approximation_tables {

using namespace report_table;
namespace doc = approximation_document;

namespace {

/// Where a maximum is reached: the input, the two results and the exact value.
Cell difference_cell(const std::vector<doc::Difference>& worst, bool gated, const std::string& a,
                     const std::string& b) {
  if (worst.empty()) return dash();
  const doc::Difference& e = worst[0];
  Cell c;
  if (gated) {
    c.spans = {fmt::format("gate {:.9g} ", e.x0.value), bits(e.x0_bits),
               fmt::format(", up {:.9g} ", e.x1.value), bits(e.x1_bits.value_or(""))};
  } else {
    c.spans = {fmt::format("x = {:.9g} ", e.x0.value), bits(e.x0_bits)};
  }
  c.spans.insert(c.spans.end(), {markdown_only(":"), gap(),
                                 fmt::format("{} {:.6g}, {} {:.6g}, exact {:.6g}", a, e.result.value, b,
                                             e.approx_result.value, e.exact_hi.value)});
  return c;
}

/// The index of `name` in `names`, appended where it is not there yet.
std::size_t kernel_index(std::vector<std::string>& names, const std::string& name) {
  const auto it = std::find(names.begin(), names.end(), name);
  if (it != names.end()) return static_cast<std::size_t>(it - names.begin());
  names.push_back(name);
  return names.size() - 1;
}

/// A measured pair: terse in Markdown ("0.6180%, 0.9 (0.9)"), worded in HTML.
Cell pair_cell(const doc::Figures& f) {
  const std::string share = report_text::percent(f.fraction_differ.value);
  const std::string max = report_text::ulp(f.max_ulp.value), above = report_text::ulp(f.max_ulp_above_floor.value);
  Cell c{markdown_only(fmt::format("{}, {} ({})", share, max, above)),
         html_only(fmt::format("<strong>{}</strong> differ<br>max {} ULP<br><span class=\"muted\">{} outside the "
                               "floor region</span>",
                               html_escape(share), html_escape(max), html_escape(above)))};
  c.title = fmt::format("{} of {} outputs differ; {} of {} outside the floor region", f.differ, f.count,
                        f.differ_above_floor, f.above_floor);
  return c;
}

}  // namespace

Table rounded(const doc::Section& s) {
  Table t({{"dtype"},
           {"inputs"},
           right("results differ"),
           right("outside the floor region"),
           right("max ULP difference"),
           right("outside the floor region"),
           {"where (outside the floor region)"}});
  t.html_class = "elements";
  const bool gated = s.arity == 2;
  for (const doc::Dtype& d : s.dtypes) {
    const doc::Figures& r = d.rounded.figures;
    Cell dtype(d.dtype);
    if (!d.params_label.empty()) dtype.spans.insert(dtype.spans.end(), {" ", param(d.params_label)});
    t.rows.push_back({{std::move(dtype), d.inputs, report_text::percent_of(r.differ, r.count),
                       report_text::percent_of(r.differ_above_floor, r.above_floor), report_text::ulp(r.max_ulp.value),
                       report_text::ulp(r.max_ulp_above_floor.value),
                       difference_cell(r.worst_above_floor, gated, s.approximates, s.op)}});
  }
  return t;
}

Table kernels(const doc::Section& s, const doc::Dtype& d) {
  std::vector<std::string> exact, approx;
  std::vector<std::pair<std::pair<std::size_t, std::size_t>, const doc::KernelPair*>> at;
  for (const doc::KernelPair& p : d.kernel_pairs)
    at.push_back({{kernel_index(exact, p.exact_kernel), kernel_index(approx, p.approx_kernel)}, &p});
  Table t({{{markdown_only(fmt::format("{} \\ {}", s.approximates, s.op)),
             html_only(fmt::format("{} kernel \u2193 / {} kernel \u2192", html_escape(s.approximates),
                                   html_escape(s.op)))}}});
  for (const std::string& k : approx) t.columns.push_back(right(name(k)));
  for (const std::string& k : exact) {
    Row row{{name(k)}};
    row.cells.resize(approx.size() + 1, dash());
    t.rows.push_back(std::move(row));
  }
  for (const auto& [ij, p] : at) t.rows[ij.first].cells[1 + ij.second] = pair_cell(p->figures);
  return t;
}

}  // namespace ulpcheck::approximation_tables
