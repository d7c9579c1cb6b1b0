// Golden HDF5 files (schema v1, golden/SCHEMA.md): inputs, exact oracle values and the
// recorded figures of the host kernels, one file per op. Written atomically (to a
// temporary beside the file, then renamed), read and validated in full: a file that does not follow the
// schema is a GoldenError naming the file, the object, found vs expected and the next step.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "ulpcheck/golden/files.hpp"
#include "ulpcheck/reference/format.hpp"
#include "ulpcheck/reference/op.hpp"
#include "ulpcheck/reference/params.hpp"
#include "ulpcheck/version.hpp"

namespace ulpcheck::golden {

inline constexpr int kSchemaVersion = 1;
/// The writer, from the project version: "ulpcheck 0.1.0" in every committed file while the
/// version is 0.1.0 (a bump changes what regen writes, not what verify compares).
inline constexpr const char* kTool = "ulpcheck " ULPCHECK_VERSION;
inline constexpr const char* kOracleMethod = "special rules + double tier + MPFR Ziv 136..2126 bits";

/// A golden file that cannot be used: missing, not HDF5, wrong schema, inconsistent.
struct GoldenError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Recorded figures of one kernel on one case (group <case>/kernels/<name>).
struct KernelFigures {
  std::string kernel;
  double budget_max_ulp = 0;
  double budget_abs_floor = 0;
  double max_ulp = 0;
  double max_ulp_above_floor = 0;
  double p50 = 0, p99 = 0, p999 = 0;
  double frac_correctly_rounded = 0;
  std::int64_t budget_breaches = 0;
  std::int64_t semantic_violations = 0;
  std::vector<std::int64_t> worst_index;  ///< element indices of the worst inputs
};

/// Element data shared by cases and the corpus: inputs and the oracle's answers.
struct Elements {
  std::vector<std::uint32_t> x0_bits;
  std::vector<std::uint32_t> x1_bits;  ///< arity 2 only
  std::vector<double> exact_hi;
  std::vector<double> exact_lo;
  std::vector<std::uint32_t> rounded_bits;
  std::size_t size() const { return x0_bits.size(); }
};

/// One case, group /<dtype>/<name>.
struct GoldenCase {
  Format format = Format::bf16;
  std::string name;  ///< "all", or the parameters' label: "<name>=<value>", ...
  Params params;
  std::string params_label;  ///< the params attribute as read (the writer derives it from params)
  std::uint64_t seed = 0;
  std::int64_t samples = 0;  ///< random elements after the special values (0: exhaustive)
  std::string input;  ///< description of the inputs
  Elements data;
  std::vector<KernelFigures> kernels;
};

/// Fuzz counterexamples of one dtype, group /<dtype>/corpus: one row per element, with its
/// own parameter values (dataset "param_<name>" per parameter of the op).
struct Corpus {
  Format format = Format::bf16;
  std::vector<std::string> param_names;
  std::vector<std::vector<double>> param_values;  ///< [param][row]
  Elements data;
  Params params_of(std::size_t row) const;
};

struct GoldenFile {
  int schema_version = kSchemaVersion;
  std::string tool = kTool;
  std::string op;
  std::string formula;
  std::string oracle_method = kOracleMethod;
  std::string device = "none (host kernels only)";
  std::string cuda_version = "none (host kernels only)";
  std::string driver_version = "none (host kernels only)";
  int arity = 1;  ///< stored for readers; read back from the op
  std::vector<GoldenCase> cases;
  std::vector<Corpus> corpora;
};

/// Writes `file` to a temporary "<path>.tmp.XXXXXX" and renames it over `path`.
/// `before_rename`, when set, runs between the two (tests throw from it); an exception
/// leaves `path` untouched and removes the temporary. Throws GoldenError naming the path.
void write_golden(const std::string& path, const GoldenFile& file,
                  const std::function<void()>& before_rename = {});

/// Reads and validates the whole file (structure, attributes, lengths). Throws GoldenError.
GoldenFile read_golden(const std::string& path);

}  // namespace ulpcheck::golden
