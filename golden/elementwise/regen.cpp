#include "ulpcheck/golden/elementwise/regen.hpp"

#include <fmt/format.h>

#include "golden/root_attributes.hpp"
#include "ulpcheck/golden/elementwise/corpus.hpp"
#include "ulpcheck/properties/gen/values.hpp"
#include "ulpcheck/properties/inputs.hpp"

namespace ulpcheck::golden {

std::vector<CaseSpec> case_specs(const ElementwiseOp& op) {
  std::vector<CaseSpec> out;
  for (const Params& p : op.checked_params()) out.push_back(CaseSpec{p.values().empty() ? "all" : p.label(), p});
  return out;
}


Elements case_inputs(const ElementwiseOp& op, Format f, const Params& params, std::int64_t samples,
                     std::uint64_t seed, std::string* description) {
  Elements e;
  if (checks_every_input(op, f)) {
    for (std::uint32_t b = 0; b < 65536; ++b) e.x0_bits.push_back(b);
    if (description) *description = fmt::format("all 65536 {} values", name(f));
    return e;
  }
  const std::vector<std::uint32_t> sv = special_values(f, op, params);
  if (op.arity == 2) {
    for (std::uint32_t a : sv)
      for (std::uint32_t b : sv) {
        e.x0_bits.push_back(a);
        e.x1_bits.push_back(b);
      }
  } else {
    e.x0_bits = sv;
  }
  const std::size_t nspecial = e.size();
  if (samples > 0) {
    // One row of `samples` elements: any count works, and the stream is fixed by the seed.
    const BitTensor t = random_rows(f, op.arity, 1, samples, seed).tensor;
    for (std::int64_t c = 0; c < samples; ++c) {
      e.x0_bits.push_back(t.at(0, c));
      if (op.arity == 2) e.x1_bits.push_back(t.at(0, samples + c));
    }
  }
  if (description)
    *description = fmt::format("{} special values{} then {} random {} bit patterns (seed {})", nspecial,
                               op.arity == 2 ? " (all pairs)" : "", samples, name(f), seed);
  return e;
}

InputSet as_input_set(const ElementwiseOp& op, Format f, const Elements& e, const std::string& description) {
  const auto n = static_cast<std::int64_t>(e.size());
  std::int64_t d = 1;
  for (std::int64_t cand : {1024, 256, 64, 16, 4, 2})
    if (n % cand == 0) {
      d = cand;
      break;
    }
  InputSet s{BitTensor::zeros(f, n / d, op.arity * d), description};
  for (std::int64_t i = 0; i < n; ++i) {
    const std::int64_t r = i / d, c = i % d;
    s.tensor.at(r, c) = e.x0_bits[static_cast<std::size_t>(i)];
    if (op.arity == 2) s.tensor.at(r, d + c) = e.x1_bits[static_cast<std::size_t>(i)];
  }
  return in_default_batches(std::move(s), op.arity);
}

void compute_exact(const ElementwiseOp& op, Format f, const Params& params, Elements& data) {
  const std::size_t n = data.size();
  // Every value through MPFR: golden files promise double-double exact values.
  const OracleAnswers answers = evaluate_inputs(op, f, params, as_input_set(op, f, data), {}, OracleMethod::mpfr_only);
  data.exact_hi.resize(n);
  data.exact_lo.resize(n);
  data.rounded_bits.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const Exact& e = answers.exact[i];
    data.exact_hi[i] = e.value.hi;
    data.exact_lo[i] = e.value.lo;
    data.rounded_bits[i] = encode(f, e.rounded);
  }
}

OracleAnswers answers_of(Format f, const Elements& e) {
  OracleAnswers a;
  a.exact.resize(e.size());
  for (std::size_t i = 0; i < e.size(); ++i)
    a.exact[i] = Exact{decode(f, e.rounded_bits[i]), DoubleDouble{e.exact_hi[i], e.exact_lo[i]}};
  return a;
}

KernelFigures figures_of(const Measurement& m) {
  KernelFigures k;
  k.kernel = std::string(m.kernel->name());
  k.budget_max_ulp = m.budget.max_ulp;
  k.budget_abs_floor = m.budget.abs_floor;
  k.max_ulp = m.stats.max_ulp;
  k.max_ulp_above_floor = m.stats.max_ulp_above_floor;
  k.p50 = m.stats.percentile(0.5);
  k.p99 = m.stats.percentile(0.99);
  k.p999 = m.stats.percentile(0.999);
  k.frac_correctly_rounded = m.stats.fraction(m.stats.correctly_rounded);
  k.budget_breaches = m.stats.budget_breaches;
  k.semantic_violations = m.stats.semantic_violations;
  for (const ElementReport& e : m.stats.worst) k.worst_index.push_back(e.index);
  return k;
}

std::vector<const Kernel*> kernels_for(std::span<const Kernel* const> kernels, const ElementwiseOp& op, Format f,
                                       const Params& params) {
  std::vector<const Kernel*> out;
  for (const Kernel* k : kernels)
    if (k->supports(op, f) && k->unsupported_params(op, f, params).empty()) out.push_back(k);
  return out;
}

GoldenFile build_golden(const ElementwiseOp& op, const BuildOptions& o, std::vector<Corpus> corpora, const Log& log) {
  GoldenFile file;
  file.op = std::string(op.name);
  file.formula = std::string(op.formula);
  file.arity = op.arity;
  set_device_provenance(file, o);
  for (Format f : all_formats())
    for (const CaseSpec& spec : case_specs(op)) {
      GoldenCase c;
      c.format = f;
      c.name = spec.name;
      c.params = spec.params;
      c.seed = checks_every_input(op, f) ? 0 : o.seed;
      c.samples = checks_every_input(op, f) ? 0 : o.samples;
      c.data = case_inputs(op, f, spec.params, c.samples, o.seed, &c.input);
      compute_exact(op, f, spec.params, c.data);
      const InputSet in = as_input_set(op, f, c.data, c.input);
      const OracleAnswers answers = answers_of(f, c.data);
      for (const Kernel* k : kernels_for(o.kernels, op, f, spec.params))
        c.kernels.push_back(figures_of(measure(op, *k, f, spec.params, in, answers)));
      if (log)
        log(fmt::format("{} /{}/{}: {} elements, {} kernels", op.name, name(f), c.name, c.data.size(),
                        c.kernels.size()));
      file.cases.push_back(std::move(c));
    }
  for (Corpus& c : corpora) {
    compute_corpus_exact(op, c);
    if (log) log(fmt::format("{} /{}/corpus: {} elements carried over", op.name, name(c.format), c.data.size()));
  }
  file.corpora = std::move(corpora);
  return file;
}

}  // namespace ulpcheck::golden
