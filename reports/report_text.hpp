// Small pieces shared by the renderers of reports/ (Markdown, HTML, diff): reading numbers
// back from a report's JSON and writing figures the same way everywhere. Internal to
// reports/.
#pragma once

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "ulpcheck/reference/format.hpp"

namespace ulpcheck::report_text {

/// A bit pattern as a report shows it: 4 hex digits for a 16-bit format, 8 for fp32.
inline std::string hex_bits(Format f, std::uint32_t bits) {
  return info(f).storage_bits == 16 ? fmt::format("0x{:04x}", bits) : fmt::format("0x{:08x}", bits);
}

/// JSON has no NaN or inf; reports spell them "nan", "inf", "-inf" so that a reader sees
/// what they were.
inline nlohmann::json number(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return v;
}

/// The inverse of number(): a JSON number, or one of its spelled non-finite values.
inline double to_double(const nlohmann::json& j) {
  if (j.is_number()) return j.get<double>();
  if (j.is_string()) {
    const std::string& s = j.get_ref<const std::string&>();
    if (s == "inf") return HUGE_VAL;
    if (s == "-inf") return -HUGE_VAL;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

/// A member of a typed report object that number() writes and to_double() reads.
struct Number {
  double value = 0.0;
};
inline void to_json(nlohmann::json& j, const Number& n) { j = number(n.value); }
inline void from_json(const nlohmann::json& j, Number& n) { n.value = to_double(j); }

/// A figure written as a plain JSON number (NaN as null); read back with to_double.
struct Real {
  double value = 0.0;
};
inline void to_json(nlohmann::json& j, const Real& r) { j = r.value; }
inline void from_json(const nlohmann::json& j, Real& r) { r.value = to_double(j); }

inline std::int64_t to_int(const nlohmann::json& j) { return j.get<std::int64_t>(); }

/// A ULP figure: 4 significant digits (0.5, 1.5, 255.4, 1.677e+07).
inline std::string ulp(double v) { return fmt::format("{:.4g}", v); }

/// "99.5229% (995229 of 1000000)", or "n/a" out of nothing.
inline std::string percent_of(std::int64_t n, std::int64_t of) {
  return of ? fmt::format("{:.4f}% ({} of {})", 100.0 * static_cast<double>(n) / static_cast<double>(of), n, of)
            : "n/a";
}

/// A fraction as a percentage with 4 decimals: "0.3344%".
inline std::string percent(double fraction) { return fmt::format("{:.4f}%", 100.0 * fraction); }

/// The budget of a case object: "0.501 ULP, abs floor 2^-121 (3.76e-37)".
inline std::string budget(const nlohmann::json& b) {
  const double u = to_double(b.at("max_ulp")), a = to_double(b.at("abs_floor"));
  if (a == 0.0) return fmt::format("{} ULP", u);
  return fmt::format("{} ULP, abs floor 2^{} ({:.3g})", u, std::ilogb(a), a);
}

/// The budget, short, for summary tables: "0.501 ULP + 2^-121".
inline std::string budget_short(const nlohmann::json& b) {
  const double u = to_double(b.at("max_ulp")), a = to_double(b.at("abs_floor"));
  if (a == 0.0) return fmt::format("{} ULP", u);
  return fmt::format("{} ULP, floor 2^{}", u, std::ilogb(a));
}

/// Whether `calls` is a case's "calls": the input shape of each kernel call, in element
/// order, [[rows, columns], ...].
inline bool is_calls(const nlohmann::json& calls) {
  return calls.is_array() && !calls.empty() && std::all_of(calls.begin(), calls.end(), [](const nlohmann::json& p) {
           return p.is_array() && p.size() == 2 && p[0].is_number_integer() && p[1].is_number_integer();
         });
}

/// A case's kernel calls: its "calls", or for a report written before cases had them, one
/// call of its "shape".
inline nlohmann::json calls_of(const nlohmann::json& c) {
  return c.contains("calls") ? c["calls"] : nlohmann::json::array({c.at("shape")});
}

/// A case's calls as the reports print them: "shape [1000, 2000]" for one call, "3 kernel
/// calls: [983, 2000] + [7, 1998] + [1, 20014]" for several.
inline std::string calls_text(const nlohmann::json& c) {
  const nlohmann::json calls = calls_of(c);
  std::string shapes;
  for (const nlohmann::json& p : calls)
    shapes += fmt::format("{}[{}, {}]", shapes.empty() ? "" : " + ", to_int(p[0]), to_int(p[1]));
  return calls.size() == 1 ? "shape " + shapes : fmt::format("{} kernel calls: {}", calls.size(), shapes);
}

/// Whether element rows, where their case is not at hand, need a column for the kernel
/// call: one of them was computed by a call after the first.
inline bool rows_past_first_call(const nlohmann::json& rows) {
  return std::any_of(rows.begin(), rows.end(), [](const nlohmann::json& e) {
    return e.contains("batch") && e["batch"].is_number_integer() && e["batch"] != 0;
  });
}

/// A string member of a document object, for the renderers.
inline std::string str(const nlohmann::json& j, const char* key) { return j.at(key).get<std::string>(); }

/// "0.6180% (405 of 65536)" from two counts of a figures object.
inline std::string share(const nlohmann::json& j, const char* n, const char* of) {
  return percent_of(to_int(j.at(n)), to_int(j.at(of)));
}

/// An object written as `base`'s keys plus one more, `key`, holding `extra`: a case's figures
/// with its binades, a batch with its cases.
template <class Base, class Extra>
void write_extended(nlohmann::json& j, const Base& base, const char* key, const Extra& extra) {
  j = base;
  j[key] = extra;
}
template <class Base, class Extra>
void read_extended(const nlohmann::json& j, Base& base, const char* key, Extra& extra) {
  j.get_to(base);
  j.at(key).get_to(extra);
}

}  // namespace ulpcheck::report_text
