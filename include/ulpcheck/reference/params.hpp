// Named, validated op parameters, each declared by its op in a ParamSpec.
#pragma once

#include <cmath>
#include <map>
#include <span>
#include <string>
#include <string_view>

namespace ulpcheck {

/// How a kernel receives a parameter, and so which value the checks use: the value as the
/// kernel sees it, exactly.
enum class ParamCarrier {
  fp32,  ///< a float argument: a value given in decimal is rounded to fp32 first
};

/// One parameter an op takes: its name (the flag --<name>, the key of Params, golden files'
/// case names and reports' labels), what it means, its default, its valid range, the values
/// the checks cover and fuzzing favours, and how a kernel receives it. Everything outside
/// the op's own file reads a parameter through its spec.
struct ParamSpec {
  std::string_view name;
  std::string_view doc;
  double default_value;
  /// Empty when `value` is valid; otherwise what is wrong with it, for an error message.
  std::string (*validate)(double value);
  /// The valid range, ends included, as carrier values: validate refuses what lies outside
  /// it (in its own words), and fuzzing draws any carrier value inside it.
  double lowest = -HUGE_VAL;
  double highest = HUGE_VAL;
  /// The values every golden file and every report covers when no value is asked for
  /// (edges and the values in use). Empty: the default alone.
  std::span<const double> checked_values = {};
  /// The values fuzzing favours: 4 draws in 5 pick one of them, the fifth any carrier value
  /// in [lowest, highest]. Empty: the range alone.
  std::span<const double> fuzzed_values = {};
  /// Whether the op compares its inputs with the value (a threshold that inputs cross):
  /// then the value and its storage neighbours are hard inputs, which fuzzing favours.
  bool inputs_cross = false;
  ParamCarrier carrier = ParamCarrier::fp32;
  /// Values to show a user who typed something else ("10, 7.3, 0, inf").
  std::string_view examples = {};
  /// What +inf and 0 mean, where they mean something of their own ("no clamp", "clamp
  /// everything to 0"): a value that rounding to the carrier would turn into one of them is
  /// refused, naming this meaning. Empty: no such value.
  std::string_view infinity_means = {};
  std::string_view zero_means = {};
};

/// Values by parameter name. Ops read them with get(); the CLI fills them from flags after
/// validating against the op's ParamSpecs.
class Params {
 public:
  Params& set(std::string_view name, double value);
  /// Throws std::out_of_range naming the parameter when it is absent.
  double get(std::string_view name) const;
  bool has(std::string_view name) const;
  /// "<name>=<value>" each, in a fixed (name) order; empty for no parameters.
  std::string to_string() const;
  /// As a person reads it and golden files name cases: "<name>=<value>", each value shown as
  /// the shortest decimal of its fp32 value (kernels receive floats); empty for none.
  std::string label() const;
  const std::map<std::string, double, std::less<>>& values() const { return values_; }

 private:
  std::map<std::string, double, std::less<>> values_;
};

}  // namespace ulpcheck
