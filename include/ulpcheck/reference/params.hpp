// Named, validated op parameters (the clamp limit of silu_and_mul_clamp, for one).
#pragma once

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
/// the checks cover and how a kernel receives it. Everything outside the op's own file reads
/// a parameter through its spec.
struct ParamSpec {
  std::string_view name;
  std::string_view doc;
  double default_value;
  /// Empty when `value` is valid; otherwise what is wrong with it, for an error message.
  std::string (*validate)(double value);
  /// The values every golden file and every report covers when no value is asked for
  /// (for the clamp limit: 0, 7, fp32(7.3), 10 and inf). Empty: the default alone.
  std::span<const double> checked_values = {};
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
  /// "limit=7.3" style, in a fixed (name) order; empty for no parameters.
  std::string to_string() const;
  /// As a person reads it and golden files name cases: "limit=7.3", each value shown as
  /// the shortest decimal of its fp32 value (kernels receive floats); empty for none.
  std::string label() const;
  const std::map<std::string, double, std::less<>>& values() const { return values_; }

 private:
  std::map<std::string, double, std::less<>> values_;
};

}  // namespace ulpcheck
