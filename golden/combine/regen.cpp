#include "ulpcheck/golden/combine/regen.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <filesystem>

#include "golden/file_lock.hpp"
#include "golden/kernel_claims.hpp"
#include "golden/root_attributes.hpp"
#include "ulpcheck/properties/combine/compare.hpp"

namespace ulpcheck::golden {

CombineAnswers combine_answers(Format format, const CombineExact& exact) {
  CombineAnswers a;
  a.rounded_bits.reserve(exact.out.size());
  for (const Exact& e : exact.out) {
    a.rounded_bits.push_back(encode(format, e.rounded));
    a.exact_hi.push_back(e.value.hi);
    a.exact_lo.push_back(e.value.lo);
  }
  a.scale = exact.scale;
  return a;
}

CombineExact combine_exact_of(const CombineConfig& c, const CombineInputs& in, const CombineAnswers& a) {
  CombineExact exact;
  const std::size_t n = a.exact_hi.size();
  exact.out.resize(n);
  for (std::size_t e = 0; e < n; ++e)
    exact.out[e] = Exact{decode(in.format, a.rounded_bits[e]), DoubleDouble{a.exact_hi[e], a.exact_lo[e]}};
  exact.scale = a.scale;
  // What combine_exact records: whether the element's y_k, w_k and shared are all finite.
  const std::int64_t K = c.topk, H = c.hidden;
  exact.finite_inputs.resize(n);
  for (std::size_t e = 0; e < n; ++e) {
    const std::int64_t t = static_cast<std::int64_t>(e) / H, h = static_cast<std::int64_t>(e) % H;
    bool finite = std::isfinite(decode(in.format, in.shared[e]));
    for (std::int64_t k = 0; k < K && finite; ++k)
      finite = std::isfinite(in.weights[static_cast<std::size_t>(t * K + k)]) &&
               std::isfinite(decode(in.format, in.routed[static_cast<std::size_t>((t * K + k) * H + h)]));
    exact.finite_inputs[e] = finite;
  }
  return exact;
}

CombineAnswers compute_combine_answers(const CombineConfig& config, const CombineInputs& inputs) {
  return combine_answers(inputs.format, combine_exact(config, inputs));
}

CombineKernelFigures combine_figures(std::string_view kernel, const CombineClaim& claim, const ErrorStats& s) {
  CombineKernelFigures k;
  k.kernel = std::string(kernel);
  k.claim = claim;
  k.max_ulp = s.max_ulp;
  k.max_ulp_above_floor = s.max_ulp_above_floor;
  k.p50 = s.percentile(0.5);
  k.p99 = s.percentile(0.99);
  k.p999 = s.percentile(0.999);
  k.frac_correctly_rounded = s.fraction(s.correctly_rounded);
  k.in_floor_region = s.in_floor_region;
  k.budget_breaches = s.budget_breaches;
  k.semantic_violations = s.semantic_violations;
  for (const ElementReport& e : s.worst) k.worst_index.push_back(e.index);
  return k;
}

ErrorStats measure_combine(const CombineKernel& kernel, const CombineClaim& claim, const CombineConfig& config,
                           const CombineInputs& inputs, const CombineExact& exact) {
  return compare_combine(config, claim, inputs, exact, run_combine_kernel(kernel, config, inputs));
}

std::vector<std::pair<const CombineKernel*, CombineClaim>> combine_kernels_for(
    std::span<const CombineKernel* const> kernels, const CombineConfig& config, Format format) {
  return kernels_claiming(kernels, [&](const CombineKernel& k) { return k.claim(config, format); });
}

CombineGoldenFile build_combine_golden(const CombineBuildOptions& o, std::vector<CombineCorpus> corpora,
                                       const Log& log) {
  CombineGoldenFile file;
  set_device_provenance(file, o);
  for (const CombineCaseSpec& spec : combine_case_specs()) {
    const auto start = std::chrono::steady_clock::now();
    CombineGoldenCase c;
    c.name = spec.name;
    c.config = spec.config;
    c.config_label = spec.config.label();
    c.input_label = golden_combine_input_label();
    c.seed = o.seed;
    c.inputs = golden_combine_inputs(spec.config, spec.format, spec.tokens, o.seed);
    const CombineExact exact = combine_exact(c.config, c.inputs);
    c.answers = combine_answers(spec.format, exact);
    for (const auto& [kernel, claim] : combine_kernels_for(o.kernels, c.config, spec.format))
      c.kernels.push_back(
          combine_figures(kernel->name(), claim, measure_combine(*kernel, claim, c.config, c.inputs, exact)));
    if (log)
      log(fmt::format("{} {}: {} tokens of {}, {} kernels ({:.2f} s)", kCombineOpName, spec.group(), spec.tokens,
                      c.config.label(), c.kernels.size(),
                      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()));
    file.cases.push_back(std::move(c));
  }
  for (CombineCorpus& c : corpora) {
    for (CombineCounterexample& e : c.entries) e.answers = compute_combine_answers(e.config, e.inputs);
    if (log)
      log(fmt::format("{} /{}/corpus: {} counterexamples carried over", kCombineOpName, name(c.format),
                      c.entries.size()));
  }
  file.corpora = std::move(corpora);
  return file;
}

CombineGoldenFile regen_combine_golden(const std::string& dir, const CombineBuildOptions& options, bool drop_corpus,
                                       const Log& log, const std::function<void()>& before_rename) {
  const std::string path = golden_path(dir, kCombineOpName);
  const DirectoryLock lock(dir);
  std::vector<CombineCorpus> corpora;
  if (!drop_corpus && std::filesystem::exists(path)) {
    try {
      corpora = read_combine_golden(path).corpora;
    } catch (const GoldenError& e) {
      throw GoldenError(fmt::format("{}\nThe old file cannot be read, so its fuzz corpus cannot be carried over; rerun "
                                    "with --drop-corpus to replace it without the corpus",
                                    e.what()));
    }
  }
  CombineGoldenFile file = build_combine_golden(options, std::move(corpora), log);
  write_combine_golden(path, file, before_rename);
  return file;
}

}  // namespace ulpcheck::golden
