#include "reports/plots.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "ulpcheck/support/escape.hpp"

namespace ulpcheck::plots {

namespace {

constexpr const char* kBlue = "#0969da";
constexpr const char* kPurple = "#8250df";
constexpr const char* kOrange = "#e16f24";
constexpr const char* kFloorShade = "#fde9d7";
constexpr const char* kRed = "#cf222e";
constexpr const char* kGrid = "#e6e9ed";
constexpr const char* kAxis = "#8c959f";

std::string px(double v) { return fmt::format("{:.1f}", v); }

/// 2^k as SVG text content: a decimal where that is short (0.125 to 1024), else 2 with a
/// superscript exponent. Exponents use the minus sign U+2212.
std::string pow2_text(int k, bool negative = false) {
  const std::string sign = negative ? "\u2212" : "";
  if (k >= -3 && k <= 10) return sign + fmt::format("{}", std::ldexp(1.0, k));
  return fmt::format("{}2<tspan dy=\"-0.45em\" font-size=\"0.8em\">{}{}</tspan>", sign, k < 0 ? "\u2212" : "",
                     std::abs(k));
}

/// Counts as a person reads them on an axis: 1, 10, 100, 1k, ... 1M.
std::string count_text(int decade) {
  static const char* const kNames[] = {"1", "10", "100", "1k", "10k", "100k", "1M", "10M", "100M", "1G", "10G"};
  return decade >= 0 && decade <= 10 ? kNames[decade] : fmt::format("1e{}", decade);
}

/// An interval of ULP errors in text for tooltips: "[0.5, 1)".
std::string bin_text(double lo, double hi) {
  return std::isinf(hi) ? fmt::format("[{:g}, inf)", lo) : fmt::format("[{:g}, {:g})", lo, hi);
}

/// The smallest of 1, 2, 4, 8, ... that keeps the number of steps over `span` at most `most`.
/// Horizontal grid lines and labels at every decade 10^0 .. 10^top of a log-scale count
/// axis spanning x in [left, left + width]; y_of maps a count to its y.
template <class YOf>
void count_grid(std::string& out, int top, double left, double width, YOf y_of) {
  for (int d = 0; d <= top; ++d) {
    const double y = y_of(std::pow(10.0, d));
    out += fmt::format("<line x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"{}\"/>", px(left), px(left + width),
                       px(y), px(y), kGrid);
    out += fmt::format("<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", px(left - 6),
                       px(y + 4), count_text(d));
  }
}

int tick_step(double span, int most) {
  int step = 1;
  while (span / step > most) step *= 2;
  return step;
}

void legend_item(std::string& out, double x, double y, const std::string& swatch, const std::string& label) {
  out += fmt::format("<g transform=\"translate({},{})\">{}<text x=\"22\" y=\"4\">{}</text></g>", px(x), px(y), swatch,
                     html_escape(label));
}

std::string line_swatch(const char* color, bool dashed) {
  return fmt::format("<line x1=\"0\" y1=\"0\" x2=\"16\" y2=\"0\" stroke=\"{}\" stroke-width=\"2\"{}/>", color,
                     dashed ? " stroke-dasharray=\"4 3\"" : "");
}

std::string box_swatch(const char* color) {
  return fmt::format("<rect x=\"2\" y=\"-5\" width=\"12\" height=\"10\" fill=\"{}\"/>", color);
}

}  // namespace

std::string ulp_histogram_svg(const case_document::Case& c) {
  const std::vector<case_document::HistogramBin>& rows = c.ulp_histogram;
  if (rows.size() < 3) return {};
  const double budget = c.budget.max_ulp.value;
  const int n = static_cast<int>(rows.size());
  const int k_lo = std::ilogb(rows[1].lo.value);  // bin i >= 1 is [2^(k_lo+i-1), 2^(k_lo+i))
  auto bin_of = [&](double e) {
    return e < std::ldexp(1.0, k_lo) ? 0 : std::min(n - 1, std::ilogb(e) - k_lo + 1);
  };
  std::int64_t max_count = 1, total = 0;
  int last = bin_of(2.0);
  for (int i = 0; i < n; ++i) {
    const std::int64_t count = rows[static_cast<std::size_t>(i)].count;
    total += count;
    max_count = std::max(max_count, count);
    if (count) last = std::max(last, i);
  }
  if (std::isfinite(budget)) last = std::max(last, bin_of(budget));
  const int shown = last + 1;

  const double W = 540, H = 300, L = 50, R = 10, T = 50, B = 44;
  const double w = W - L - R, h = H - T - B;
  const double bottom = std::log10(0.5);  // a count of 1 still shows as a bar
  const int top = std::max(1, static_cast<int>(std::ceil(std::log10(static_cast<double>(max_count)))));
  auto y_of = [&](double count) { return T + h - (std::log10(count) - bottom) / (top - bottom) * h; };
  const double bw = w / shown;

  std::string out = fmt::format(
      "<svg class=\"plot\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" "
      "role=\"img\" aria-label=\"Histogram of ULP errors\">",
      W, H, W, H);
  out += fmt::format("<text class=\"title\" x=\"0\" y=\"16\">ULP error histogram</text>");
  out += fmt::format("<text class=\"sub\" x=\"{}\" y=\"16\" text-anchor=\"end\">{} outputs, count on a log scale</text>",
                     px(W - R), total);
  count_grid(out, top, L, w, y_of);
  for (int i = 0; i < shown; ++i) {
    const case_document::HistogramBin& r = rows[static_cast<std::size_t>(i)];
    const std::int64_t count = r.count, floor = r.in_floor_region;
    const std::string range = bin_text(r.lo.value, r.hi.value);
    auto bar = [&](std::int64_t v, double offset, const char* color, const char* what) {
      if (v <= 0) return;
      const double y = y_of(static_cast<double>(v));
      out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>ULP error {}: {} "
                         "outputs {}</title></rect>",
                         px(L + bw * (i + offset)), px(y), px(bw * 0.38), px(T + h - y), color, range, v, what);
    };
    bar(count - floor, 0.1, kBlue, "outside the floor region");
    bar(floor, 0.52, kOrange, "in the floor region");
  }
  // x axis: bin edges, labelled at a step that leaves room for the text.
  out += fmt::format("<line x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"{}\"/>", px(L), px(L + w), px(T + h),
                     px(T + h), kAxis);
  const int step = tick_step(shown, 10);
  for (int i = 0; i < shown; i += step) {
    const double x = L + bw * i;
    out += fmt::format("<line x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"{}\"/>", px(x), px(x), px(T + h),
                       px(T + h + 4), kAxis);
    out += fmt::format("<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>", px(x), px(T + h + 17),
                       i == 0 ? "0" : pow2_text(k_lo + i - 1));
  }
  out += fmt::format("<text class=\"axis\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">ULP error (bins of powers of "
                     "two)</text>",
                     px(L + w / 2), px(H - 8));
  if (std::isfinite(budget) && budget > 0) {
    const int bin = bin_of(budget);
    const double frac = bin == 0 ? 1.0 : std::log2(budget) - std::ilogb(budget);
    const double x = L + bw * (bin + frac);
    out += fmt::format("<line x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"1.5\" "
                       "stroke-dasharray=\"5 3\"/>",
                       px(x), px(x), px(T), px(T + h), kRed);
    out += fmt::format("<text class=\"note\" x=\"{}\" y=\"{}\">{:g}</text>", px(x + 4), px(T + 10), budget);
  }
  legend_item(out, L, 34, box_swatch(kBlue), "outside the floor region");
  legend_item(out, L + 190, 34, box_swatch(kOrange), "in the floor region");
  legend_item(out, L + 350, 34, line_swatch(kRed, true), "budget");
  out += "</svg>";
  return out;
}

namespace {

/// One binade of one sign on the by-input plots.
struct BinadePoint {
  int binade;
  std::int64_t count, floor;
  double max, second;  ///< the solid series and the dashed one
  std::string note;    ///< more for the tooltip, after the figures
};

/// What differs between the by-input plots: their words and the budget line.
struct BinadePlotText {
  std::string title;         ///< SVG text content: "ULP error against the input x, per binade"
  std::string quantity;      ///< the y axis and tooltips: "ULP error"
  std::string max_label;     ///< the solid series: "max"
  std::string second_label;  ///< the dashed series: "p99"
  double budget;             ///< a dashed red line there, unless NaN or not positive
};

/// Max (solid) and a second figure (dashed) per binade of the input (gate), on a log ULP
/// axis: negative inputs on the left with magnitude growing leftwards, positive on the
/// right, so the plot reads as the number line; binades mostly in the floor region shaded.
std::string by_input_binade_svg(std::vector<BinadePoint> neg, std::vector<BinadePoint> pos, const std::string& input,
                                const BinadePlotText& text) {
  using Point = BinadePoint;
  if (neg.empty() && pos.empty()) return {};
  auto by_binade = [](const Point& a, const Point& b) { return a.binade < b.binade; };
  std::sort(neg.begin(), neg.end(), by_binade);
  std::sort(pos.begin(), pos.end(), by_binade);
  int b_lo = 1 << 20, b_hi = -(1 << 20);
  double v_max = 1.0;
  for (const auto* side : {&neg, &pos})
    for (const Point& p : *side) {
      b_lo = std::min(b_lo, p.binade);
      b_hi = std::max(b_hi, p.binade);
      v_max = std::max(v_max, p.max);
    }
  if (b_hi - b_lo < 8) b_hi = b_lo + 8;
  const double budget = text.budget;
  if (std::isfinite(budget)) v_max = std::max(v_max, budget);
  const int y_lo = -10, y_hi = std::max(1, static_cast<int>(std::ceil(std::log2(v_max))) + 1);
  const double W = 1160, H = 330, L = 58, R = 14, T = 50, B = 54, gap = 40;
  const double pw = (W - L - R - gap) / 2, h = H - T - B;
  const double span = b_hi - b_lo + 1;
  auto x_of = [&](int sign, double binade) {
    const double t = (binade - b_lo + 0.5) / span * pw;
    return sign < 0 ? L + pw - t : L + pw + gap + t;
  };
  auto y_of = [&](double v) {
    const double l = v > 0 ? std::clamp(std::log2(v), double(y_lo), double(y_hi)) : y_lo;
    return T + h - (l - y_lo) / (y_hi - y_lo) * h;
  };
  const double unit = pw / span;

  std::string out = fmt::format(
      "<svg class=\"plot\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" "
      "role=\"img\" aria-label=\"{} against the {}\">",
      W, H, W, H, text.quantity, input);
  out += fmt::format("<text class=\"title\" x=\"0\" y=\"16\">{}</text>", text.title);
  out += fmt::format("<text class=\"sub\" x=\"0\" y=\"34\">negative {} on the left (magnitude growing leftwards), "
                     "positive on the right; {}s below 2<tspan dy=\"-0.45em\" font-size=\"0.8em\">\u221210</tspan>"
                     "<tspan dy=\"0.45em\"> ULP</tspan> drawn at the bottom</text>",
                     input == "x" ? "inputs" : "gates", text.quantity == "ULP error" ? "error" : "difference");
  // Floor-region shading under everything else.
  for (int sign : {-1, 1})
    for (const Point& p : sign < 0 ? neg : pos)
      if (2 * p.floor >= p.count)
        out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>",
                           px(x_of(sign, p.binade) - unit / 2), px(T), px(unit), px(h), kFloorShade);
  // y grid and labels (left), shared by both panels.
  const int y_step = tick_step(y_hi - y_lo, 8);
  for (int k = y_hi - (y_hi % y_step + y_step) % y_step; k >= y_lo; k -= y_step) {
    const double y = y_of(std::ldexp(1.0, k));
    for (int sign : {-1, 1}) {
      const double x0 = sign < 0 ? L : L + pw + gap;
      out += fmt::format("<line x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"{}\"/>", px(x0), px(x0 + pw), px(y),
                         px(y), kGrid);
    }
    out += fmt::format("<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", px(L - 6), px(y + 4),
                       pow2_text(k));
  }
  out += fmt::format("<text class=\"axis\" transform=\"translate(14,{}) rotate(-90)\" text-anchor=\"middle\">{}</text>",
                     px(T + h / 2), text.quantity);
  // Panels: frame, x ticks, title.
  const int x_step = tick_step(span, 8);
  for (int sign : {-1, 1}) {
    const double x0 = sign < 0 ? L : L + pw + gap;
    out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"{}\"/>", px(x0),
                       px(T), px(pw), px(h), kAxis);
    for (int b = b_lo + ((-b_lo) % x_step + x_step) % x_step; b <= b_hi; b += x_step) {
      const double x = x_of(sign, b);
      out += fmt::format("<line x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"{}\"/>", px(x), px(x), px(T + h),
                         px(T + h + 4), kAxis);
      out += fmt::format("<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>", px(x),
                         px(T + h + 17), pow2_text(b, sign < 0));
    }
    out += fmt::format("<text class=\"panel\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{} {} 0</text>", px(x0 + pw / 2),
                       px(T - 5), input, sign < 0 ? "&lt;" : "&gt;");
  }
  out += fmt::format("<text class=\"axis\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}, by binade [2<tspan "
                     "dy=\"-0.45em\" font-size=\"0.8em\">k</tspan><tspan dy=\"0.45em\">, 2</tspan><tspan "
                     "dy=\"-0.45em\" font-size=\"0.8em\">k+1</tspan><tspan dy=\"0.45em\">) of its magnitude</tspan>"
                     "</text>",
                     px(L + pw + gap / 2), px(H - 8), input);
  out += fmt::format("<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">0</text>", px(L + pw + gap / 2),
                     px(T + h + 17));
  // Series: lines broken where a binade is empty.
  auto series = [&](int sign, const std::vector<Point>& pts, bool second) {
    std::string path;
    int prev = 1 << 20;
    for (const Point& p : pts) {
      path += fmt::format("{}{},{} ", p.binade == prev + 1 ? "L" : "M", px(x_of(sign, p.binade)),
                          px(y_of(second ? p.second : p.max)));
      prev = p.binade;
    }
    if (path.empty()) return;
    out += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{}\"{} stroke-linejoin=\"round\"/>",
                       path, second ? kPurple : kBlue, second ? 1.4 : 1.8, second ? " stroke-dasharray=\"4 3\"" : "");
    if (!second && span <= 80)
      for (const Point& p : pts)
        out += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"2.2\" fill=\"{}\"/>", px(x_of(sign, p.binade)),
                           px(y_of(p.max)), kBlue);
  };
  for (int sign : {-1, 1}) {
    series(sign, sign < 0 ? neg : pos, true);
    series(sign, sign < 0 ? neg : pos, false);
  }
  if (std::isfinite(budget) && budget > 0) {
    const double y = y_of(budget);
    out += fmt::format("<line x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"1.5\" "
                       "stroke-dasharray=\"5 3\"/>",
                       px(L), px(W - R), px(y), px(y), kRed);
    out += fmt::format("<text class=\"note\" x=\"{}\" y=\"{}\" text-anchor=\"end\">budget {:g} ULP</text>",
                       px(W - R - 4), px(y - 4), budget);
  }
  // Hover columns, last so that they are on top: the binade's figures as a tooltip.
  for (int sign : {-1, 1})
    for (const Point& p : sign < 0 ? neg : pos) {
      const std::string range = sign < 0 ? fmt::format("(-2^{}, -2^{}]", p.binade + 1, p.binade)
                                         : fmt::format("[2^{}, 2^{})", p.binade, p.binade + 1);
      out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"transparent\"><title>{} in {}: {} "
                         "outputs, {} {:.4g} ULP, {} {:.4g} ULP, {:.1f}% in the floor region{}</title></rect>",
                         px(x_of(sign, p.binade) - unit / 2), px(T), px(unit), px(h), input, range, p.count,
                         text.max_label, p.max, text.second_label, p.second,
                         100.0 * static_cast<double>(p.floor) / static_cast<double>(p.count), p.note);
    }
  // Legend, laid out from the right: about 6.2 px per character of 11 px text, plus the swatch.
  std::vector<std::pair<std::string, std::string>> legend{{line_swatch(kBlue, false), text.max_label},
                                                          {line_swatch(kPurple, true), text.second_label},
                                                          {box_swatch(kFloorShade), "mostly in the floor region"}};
  if (std::isfinite(budget) && budget > 0) legend.emplace_back(line_swatch(kRed, true), "budget");
  double lx = W - R;
  for (auto it = legend.rbegin(); it != legend.rend(); ++it) lx -= 22 + 6.2 * static_cast<double>(it->second.size()) + 18;
  for (const auto& [swatch, label] : legend) {
    legend_item(out, lx, 16, swatch, label);
    lx += 22 + 6.2 * static_cast<double>(label.size()) + 18;
  }
  out += "</svg>";
  return out;
}


}  // namespace

std::string error_by_input_svg(const case_document::Case& c) {
  std::vector<BinadePoint> neg, pos;
  for (const case_document::BinadeRow& r : c.binades_input) {
    if (r.sign.empty()) continue;  // a region, or a row of a document without signs
    const case_document::Figures& f = r.figures;
    BinadePoint p{r.binade, f.count, f.in_floor_region, f.max_ulp.value, f.p99_ulp.value, {}};
    (r.sign == "-" ? neg : pos).push_back(p);
  }
  const std::string input = c.arity == 2 ? "gate" : "x";
  return by_input_binade_svg(std::move(neg), std::move(pos), input,
                             {fmt::format("ULP error against {}, per binade", input == "x" ? "the input x" : "the gate"),
                              "ULP error", "max", "p99", c.budget.max_ulp.value});
}

std::string difference_by_input_svg(const std::vector<approximation_document::Binade>& rows, bool gated) {
  std::vector<BinadePoint> neg, pos;
  for (const approximation_document::Binade& r : rows) {
    BinadePoint p{r.binade, r.count, r.in_floor_region, r.max_ulp.value, r.max_ulp_above_floor.value,
                  fmt::format(", results differ on {} of {}", r.differ, r.count)};
    (r.sign == "-" ? neg : pos).push_back(p);
  }
  const std::string input = gated ? "gate" : "x";
  return by_input_binade_svg(
      std::move(neg), std::move(pos), input,
      {fmt::format("ULP difference against {}, per binade", gated ? "the gate" : "the input x"), "ULP difference", "max",
       "max outside the floor region", std::numeric_limits<double>::quiet_NaN()});
}

std::string margin_histogram_svg(const routing_document::Margins& m) {
  const std::vector<routing_document::MarginBinade>& rows = m.binades;
  // Bins: exact ties, every binade from the smallest to the largest present, unbounded.
  struct Bin {
    std::string label, range;
    std::int64_t group = 0, expert = 0;
  };
  std::vector<Bin> bins;
  bins.push_back({"tie", "exact ties (margin 0)", m.group_ties, m.expert_ties});
  if (!rows.empty()) {
    const int lo = rows.front().binade, hi = rows.back().binade;
    for (int b = lo; b <= hi; ++b) bins.push_back({"", fmt::format("[2^{}, 2^{})", b, b + 1), 0, 0});
    for (const routing_document::MarginBinade& r : rows) {
      Bin& bin = bins[static_cast<std::size_t>(1 + r.binade - lo)];
      bin.group = r.group;
      bin.expert = r.expert;
    }
  }
  bins.push_back({"\u221e", "unbounded (nothing valid dropped)", m.group_unbounded, m.expert_unbounded});
  const int lo = rows.empty() ? 0 : rows.front().binade;
  std::int64_t max_count = 1;
  for (const Bin& b : bins) max_count = std::max({max_count, b.group, b.expert});

  const double W = 540, H = 280, L = 50, R = 10, T = 50, B = 44;
  const double w = W - L - R, h = H - T - B;
  const double bottom = std::log10(0.5);
  const int top = std::max(1, static_cast<int>(std::ceil(std::log10(static_cast<double>(max_count)))));
  auto y_of = [&](double count) { return T + h - (std::log10(count) - bottom) / (top - bottom) * h; };
  const int n = static_cast<int>(bins.size());
  const double bw = w / n;

  std::string out = fmt::format(
      "<svg class=\"plot\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" role=\"img\" "
      "aria-label=\"Histogram of the decision margins\">",
      W, H, W, H);
  out += "<text class=\"title\" x=\"0\" y=\"16\">Decision margins</text>";
  out += fmt::format("<text class=\"sub\" x=\"{}\" y=\"16\" text-anchor=\"end\">{} tokens, count on a log "
                     "scale</text>",
                     px(W - R), m.tokens);
  count_grid(out, top, L, w, y_of);
  for (int i = 0; i < n; ++i) {
    const Bin& b = bins[static_cast<std::size_t>(i)];
    auto bar = [&](std::int64_t v, double offset, const char* color, const char* what) {
      if (v <= 0) return;
      const double y = y_of(static_cast<double>(v));
      out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{} margin {}: {} "
                         "tokens</title></rect>",
                         px(L + bw * (i + offset)), px(y), px(bw * 0.38), px(T + h - y), color, what, b.range, v);
    };
    bar(b.group, 0.1, kPurple, "group");
    bar(b.expert, 0.52, kBlue, "expert");
  }
  out += fmt::format("<line x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"{}\"/>", px(L), px(L + w), px(T + h),
                     px(T + h), kAxis);
  // Labels: the tie and unbounded bins, and binade edges at a step that leaves room.
  const int step = tick_step(std::max(1, n - 2), 8);
  for (int i = 0; i < n; ++i) {
    const Bin& b = bins[static_cast<std::size_t>(i)];
    std::string label = b.label;
    if (label.empty()) {
      const int binade = lo + i - 1;
      if (binade % step != 0) continue;
      label = pow2_text(binade);
    }
    out += fmt::format("<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                       px(L + bw * (i + 0.5)), px(T + h + 17), label);
  }
  out += fmt::format("<text class=\"axis\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">exact margin (bins of powers "
                     "of two)</text>",
                     px(L + w / 2), px(H - 8));
  legend_item(out, L, 34, box_swatch(kPurple), "group margin");
  legend_item(out, L + 150, 34, box_swatch(kBlue), "expert margin");
  out += "</svg>";
  return out;
}

}  // namespace ulpcheck::plots
