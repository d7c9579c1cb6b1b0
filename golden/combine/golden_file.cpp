#include "ulpcheck/golden/combine/golden_file.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <bit>
#include <set>

#include "golden/digest.hpp"
#include "golden/hdf5_io.hpp"
#include "golden/root_attributes.hpp"
#include "ulpcheck/golden/combine/cases.hpp"

namespace ulpcheck::golden {

namespace {

using namespace h5;

// Writing ------------------------------------------------------------

void write_combine_config(hid_t g, const CombineConfig& c) {
  attr_string(g, "config", c.label());
  attr_int64(g, "topk", c.topk);
  attr_int64(g, "hidden", c.hidden);
  attr_double(g, "routed_scaling_factor", c.routed_scaling_factor);
}

/// The weights as the fp32 bit patterns kernels receive: bits, like every other input.
std::vector<std::uint32_t> combine_weight_bits(const std::vector<float>& w) {
  std::vector<std::uint32_t> bits(w.size());
  for (std::size_t i = 0; i < w.size(); ++i) bits[i] = std::bit_cast<std::uint32_t>(w[i]);
  return bits;
}

/// The inputs and the oracle's answers of a batch, in a case or a counterexample.
void write_combine_batch(hid_t g, const CombineConfig& c, const CombineInputs& in, const CombineAnswers& a) {
  attr_string(g, "dtype", std::string(name(in.format)));
  attr_int64(g, "tokens", in.tokens);
  const auto K = static_cast<std::size_t>(c.topk), H = static_cast<std::size_t>(c.hidden);
  dataset_2d(g, "routed_bits", in.routed, H);
  dataset_2d(g, "weights_bits", combine_weight_bits(in.weights), K);
  dataset_2d(g, "shared_bits", in.shared, H);
  dataset_2d(g, "exact_hi", a.exact_hi, H);
  dataset_2d(g, "exact_lo", a.exact_lo, H);
  dataset_2d(g, "rounded_bits", a.rounded_bits, H);
  dataset_2d(g, "scale", a.scale, H);
}

/// The figures and the claim a kernel group records, as attributes of the same names.
constexpr std::pair<const char*, double CombineKernelFigures::*> kCombineFigures[] = {
    {"max_ulp", &CombineKernelFigures::max_ulp},
    {"max_ulp_above_floor", &CombineKernelFigures::max_ulp_above_floor},
    {"p50", &CombineKernelFigures::p50},
    {"p99", &CombineKernelFigures::p99},
    {"p999", &CombineKernelFigures::p999},
    {"frac_correctly_rounded", &CombineKernelFigures::frac_correctly_rounded},
};
constexpr std::pair<const char*, std::int64_t CombineKernelFigures::*> kCombineCounts[] = {
    {"in_floor_region", &CombineKernelFigures::in_floor_region},
    {"budget_breaches", &CombineKernelFigures::budget_breaches},
    {"semantic_violations", &CombineKernelFigures::semantic_violations},
};
constexpr std::pair<const char*, double CombineClaim::*> kCombineClaim[] = {
    {"budget_max_ulp", &CombineClaim::max_ulp},
    {"budget_relative", &CombineClaim::relative},
    {"budget_absolute", &CombineClaim::absolute},
};

void write_combine_figures(hid_t h, const CombineKernelFigures& k) {
  for (const auto& [name, field] : kCombineClaim) attr_double(h, name, k.claim.*field);
  for (const auto& [name, field] : kCombineFigures) attr_double(h, name, k.*field);
  for (const auto& [name, field] : kCombineCounts) attr_int64(h, name, k.*field);
  dataset(h, "worst_index", k.worst_index);
}

void write_combine_file(const std::string& path, const CombineGoldenFile& f) {
  Handle file = create_file(path, FileFormat::v110);
  Handle root = root_for_writing(file.get());
  write_identity(root.get(), f);
  write_provenance(root.get(), f);

  std::set<Format> format_groups;
  auto format_group = [&](Format format) {
    const std::string n = "/" + std::string(name(format));
    if (format_groups.insert(format).second) {
      Handle g = create_group(file.get(), n, GroupStorage::compact);
      attr_string(g.get(), "dtype", std::string(name(format)));
    }
    return n;
  };
  for (const CombineGoldenCase& c : f.cases) {
    Handle g = create_group(file.get(), format_group(c.inputs.format) + "/" + c.name, GroupStorage::compact);
    write_combine_config(g.get(), c.config);
    attr_uint64(g.get(), "seed", c.seed);
    attr_string(g.get(), "input", golden_combine_input_label());
    write_combine_batch(g.get(), c.config, c.inputs, c.answers);
    Handle kg = create_group(g.get(), "kernels", GroupStorage::compact);
    for (const CombineKernelFigures& k : c.kernels) {
      Handle h = create_group(kg.get(), k.kernel, GroupStorage::compact);
      write_combine_figures(h.get(), k);
    }
  }
  for (const CombineCorpus& c : f.corpora) {
    Handle g = create_group(file.get(), format_group(c.format) + "/corpus", GroupStorage::compact);
    attr_string(g.get(), "dtype", std::string(name(c.format)));
    for (const CombineCounterexample& e : c.entries) {
      Handle h = create_group(g.get(), e.name, GroupStorage::compact);
      attr_string(h.get(), "found_by", e.found_by);
      write_combine_config(h.get(), e.config);
      write_combine_batch(h.get(), e.config, e.inputs, e.answers);
    }
  }
  write_digests(file.get());
  flush(file.get());
}

// Reading ------------------------------------------------------------

/// `label`, when given, receives the config attribute.
CombineConfig read_combine_config(const Ctx& ctx, hid_t g, const std::string& gp, std::string* label = nullptr) {
  CombineConfig c;
  c.topk = static_cast<int>(read_attr_int64(ctx, g, gp, "topk"));
  c.hidden = static_cast<int>(read_attr_int64(ctx, g, gp, "hidden"));
  c.routed_scaling_factor = read_attr_double(ctx, g, gp, "routed_scaling_factor");
  if (const std::string why = c.validate(); !why.empty())
    ctx.fail(gp, fmt::format("holds an invalid combine configuration ({})", why));
  const std::string config = read_attr_string(ctx, g, gp, "config");
  if (label) *label = config;
  return c;
}

/// The dtype a group names: that of the format group it is in.
void read_combine_dtype(const Ctx& ctx, hid_t g, const std::string& gp, Format format) {
  const std::string got = read_attr_string(ctx, g, gp, "dtype");
  if (got != name(format)) ctx.fail(gp, fmt::format("has dtype '{}', expected '{}' (its group's)", got, name(format)));
}

void read_combine_batch(const Ctx& ctx, hid_t g, const std::string& gp, const CombineConfig& c, Format format,
                        CombineInputs& in, CombineAnswers& a) {
  read_combine_dtype(ctx, g, gp, format);
  in.format = format;
  in.tokens = read_attr_int64(ctx, g, gp, "tokens");
  if (in.tokens < 1) ctx.fail(gp, fmt::format("has tokens {}, expected at least 1", in.tokens));
  const auto T = static_cast<hsize_t>(in.tokens), K = static_cast<hsize_t>(c.topk),
             H = static_cast<hsize_t>(c.hidden);
  in.routed = read_shaped<std::uint32_t>(ctx, g, gp, "routed_bits", {T * K, H});
  const std::vector<std::uint32_t> weights = read_shaped<std::uint32_t>(ctx, g, gp, "weights_bits", {T, K});
  in.weights.resize(weights.size());
  for (std::size_t i = 0; i < weights.size(); ++i) in.weights[i] = std::bit_cast<float>(weights[i]);
  in.shared = read_shaped<std::uint32_t>(ctx, g, gp, "shared_bits", {T, H});
  a.exact_hi = read_shaped<double>(ctx, g, gp, "exact_hi", {T, H});
  a.exact_lo = read_shaped<double>(ctx, g, gp, "exact_lo", {T, H});
  a.rounded_bits = read_shaped<std::uint32_t>(ctx, g, gp, "rounded_bits", {T, H});
  a.scale = read_shaped<double>(ctx, g, gp, "scale", {T, H});
}

CombineKernelFigures read_combine_figures(const Ctx& ctx, hid_t h, const std::string& kp, const std::string& kernel,
                             std::int64_t elements) {
  CombineKernelFigures k;
  k.kernel = kernel;
  for (const auto& [name, field] : kCombineClaim) k.claim.*field = read_attr_double(ctx, h, kp, name);
  for (const auto& [name, field] : kCombineFigures) k.*field = read_attr_double(ctx, h, kp, name);
  for (const auto& [name, field] : kCombineCounts) k.*field = read_attr_int64(ctx, h, kp, name);
  k.worst_index = read_dataset<std::int64_t>(ctx, h, kp, "worst_index");
  for (std::int64_t e : k.worst_index)
    if (e < 0 || e >= elements)
      ctx.fail(kp + "/worst_index", fmt::format("holds element {}, outside [0, {})", e, elements));
  return k;
}

}  // namespace

void write_combine_golden(const std::string& path, const CombineGoldenFile& file,
                          const std::function<void()>& before_rename) {
  write_atomically(path, [&](const std::string& tmp) { write_combine_file(tmp, file); }, before_rename);
}

namespace {

CombineGoldenFile read_combine_file(const std::string& path) {
  Ctx ctx{path, std::string(kCombineOpName), {}};
  Handle file = open_file(ctx);
  Handle root = open_root(ctx, file.get());

  CombineGoldenFile f;
  read_root_of_op(ctx, root.get(), f, kCombineOpName);

  for (const std::string& fn : members(root.get())) {
    const auto format = parse_format(fn);
    if (!format) ctx.fail("/" + fn, "is not a format group (expected bf16, fp16 or fp32)");
    const std::string fp = "/" + fn;
    Handle fg = open_group(ctx, root.get(), "/", fn);
    read_combine_dtype(ctx, fg.get(), fp, *format);
    for (const std::string& cn : members(fg.get())) {
      const std::string gp = fp + "/" + cn;
      Handle g = open_group(ctx, fg.get(), fp, cn);
      if (cn == "corpus") {
        CombineCorpus corpus{*format, {}};
        read_combine_dtype(ctx, g.get(), gp, *format);
        for (const std::string& en : members(g.get())) {
          const std::string ep = gp + "/" + en;
          Handle h = open_group(ctx, g.get(), gp, en);
          CombineCounterexample e;
          e.name = en;
          e.found_by = read_attr_string(ctx, h.get(), ep, "found_by");
          e.config = read_combine_config(ctx, h.get(), ep, &e.config_label);
          read_combine_batch(ctx, h.get(), ep, e.config, *format, e.inputs, e.answers);
          corpus.entries.push_back(std::move(e));
        }
        f.corpora.push_back(std::move(corpus));
        continue;
      }
      CombineGoldenCase c;
      c.name = cn;
      c.config = read_combine_config(ctx, g.get(), gp, &c.config_label);
      c.seed = read_attr_uint64(ctx, g.get(), gp, "seed");
      c.input_label = read_attr_string(ctx, g.get(), gp, "input");
      read_combine_batch(ctx, g.get(), gp, c.config, *format, c.inputs, c.answers);
      const std::int64_t elements = c.inputs.tokens * c.config.hidden;
      Handle kg = open_group(ctx, g.get(), gp, "kernels");
      for (const std::string& kn : members(kg.get())) {
        Handle h = open_group(ctx, kg.get(), gp + "/kernels", kn);
        c.kernels.push_back(read_combine_figures(ctx, h.get(), gp + "/kernels/" + kn, kn, elements));
      }
      f.cases.push_back(std::move(c));
    }
  }
  if (f.cases.empty() && f.corpora.empty()) ctx.fail("/", "holds no cases (expected /<dtype>/<case> groups)");
  return f;
}

}  // namespace

CombineGoldenFile read_combine_golden(const std::string& path) {
  return read_surviving_hdf5(Ctx{path, std::string(kCombineOpName), {}}, [&] { return read_combine_file(path); });
}

}  // namespace ulpcheck::golden
