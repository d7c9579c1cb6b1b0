// Comparing what a golden file records with what is recomputed (internal to golden/): bit
// for bit, one message per differing column or figure, naming where, how many, the first
// difference and the next step.
#pragma once

#include <fmt/format.h>

#include <bit>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace ulpcheck::golden {

/// Doubles are compared by their bits (-0 is not 0, a NaN is itself), integers as they are.
template <class T>
auto bits_of(T v) {
  if constexpr (std::is_same_v<T, double>)
    return std::bit_cast<std::uint64_t>(v);
  else
    return v;
}

inline std::string shown(double v) { return fmt::format("{:a}", v); }
inline std::string shown(std::uint32_t v) { return fmt::format("0x{:x}", v); }
inline std::string shown(std::int32_t v) { return fmt::format("{}", v); }
inline std::string shown(std::int64_t v) { return fmt::format("{}", v); }

/// Compares two columns element by element and, when they differ, adds one message with the
/// count and the first difference.
template <class T>
void compare_column(std::vector<std::string>& problems, const std::string& where, const char* what,
                    const std::vector<T>& recorded, const std::vector<T>& fresh, const std::string& cause) {
  if (recorded.size() != fresh.size()) {
    problems.push_back(fmt::format("{}/{} has {} elements, expected {}; {}", where, what, recorded.size(), fresh.size(),
                                   cause));
    return;
  }
  std::size_t count = 0, first = 0;
  for (std::size_t i = 0; i < recorded.size(); ++i)
    if (bits_of(recorded[i]) != bits_of(fresh[i]) && count++ == 0) first = i;
  if (count)
    problems.push_back(fmt::format("{}/{} differs at {} of {} elements, first at index {}: recorded {}, expected {}; {}",
                                   where, what, count, recorded.size(), first, shown(recorded[first]),
                                   shown(fresh[first]), cause));
}

/// A named figure: as recorded, and as a fresh measurement gives it.
struct FigurePair {
  const char* name;
  double recorded, fresh;
};

/// One message per figure whose bits differ.
inline void compare_figure_list(std::vector<std::string>& problems, const std::string& where,
                                std::initializer_list<FigurePair> figures, const std::string& cause) {
  for (const FigurePair& f : figures)
    if (bits_of(f.recorded) != bits_of(f.fresh))
      problems.push_back(fmt::format("{} attribute {} is {:.17g}, a fresh measurement gives {:.17g}; {}", where, f.name,
                                     f.recorded, f.fresh, cause));
}

/// The distribution of ulp errors that elementwise and MoE combine kernel figures both
/// record (Figures: KernelFigures, CombineKernelFigures), compared alike by compare_figure_list.
template <class Figures>
void compare_ulp_distribution(std::vector<std::string>& problems, const std::string& where, const Figures& r,
                              const Figures& m, const std::string& cause) {
  compare_figure_list(problems, where,
                      {
                          {"max_ulp", r.max_ulp, m.max_ulp},
                          {"max_ulp_above_floor", r.max_ulp_above_floor, m.max_ulp_above_floor},
                          {"p50", r.p50, m.p50},
                          {"p99", r.p99, m.p99},
                          {"p999", r.p999, m.p999},
                          {"frac_correctly_rounded", r.frac_correctly_rounded, m.frac_correctly_rounded},
                      },
                      cause);
}

}  // namespace ulpcheck::golden
