#include "ulpcheck/golden/routing/golden_file.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <set>

#include "golden/digest.hpp"
#include "golden/hdf5_io.hpp"
#include "golden/root_attributes.hpp"

namespace ulpcheck::golden {

namespace {

using namespace h5;

// Writing ------------------------------------------------------------

void write_config(hid_t g, const RoutingConfig& c) {
  attr_string(g, "config", c.label());
  attr_int64(g, "experts", c.experts);
  attr_int64(g, "n_group", c.n_group);
  attr_int64(g, "topk_group", c.topk_group);
  attr_int64(g, "topk", c.topk);
  attr_string(g, "scoring", std::string(name(c.scoring)));
  attr_int64(g, "renormalize", c.renormalize ? 1 : 0);
  attr_double(g, "routed_scaling_factor", c.routed_scaling_factor);
}

void write_distribution(hid_t g, const std::string& of, const Distribution& d) {
  attr_string(g, (of + "_distribution").c_str(), d.label());
  attr_string(g, (of + "_kind").c_str(), d.kind == Distribution::Kind::bits ? "bits" : "normal");
  attr_double(g, (of + "_mean").c_str(), d.mean);
  attr_double(g, (of + "_sd").c_str(), d.sd);
}

/// The inputs and the oracle's answers of a batch, in a case or a counterexample.
void write_batch(hid_t g, const RoutingConfig& c, const RoutingInputs& in, const RoutingAnswers& a) {
  attr_string(g, "logits_dtype", std::string(name(in.logits_format)));
  attr_string(g, "bias_dtype", std::string(name(in.bias_format)));
  attr_int64(g, "tokens", in.tokens);
  const auto E = static_cast<std::size_t>(c.experts), K = static_cast<std::size_t>(c.topk);
  dataset_2d(g, "logits_bits", in.logits, E);
  dataset(g, "bias_bits", in.bias);
  dataset_2d(g, "ids", a.ids, K);
  dataset_2d(g, "weights_hi", a.weights_hi, K);
  dataset_2d(g, "weights_lo", a.weights_lo, K);
  dataset_2d(g, "groups", a.groups, static_cast<std::size_t>(c.topk_group));
  dataset(g, "group_margin", a.group_margin);
  dataset(g, "expert_margin", a.expert_margin);
}

using Figures = RoutingKernelFigures;
/// The figures a kernel group records, as attributes of the same names.
constexpr std::pair<const char*, std::int64_t Figures::*> kCounts[] = {
    {"matches", &Figures::matches},
    {"near_ties", &Figures::near_ties},
    {"mismatches", &Figures::mismatches},
    {"invalid", &Figures::invalid},
    {"weight_tokens_checked", &Figures::weight_tokens_checked},
    {"weights_in_floor", &Figures::weights_in_floor},
    {"weight_breaches", &Figures::weight_breaches},
    {"bad_weights", &Figures::bad_weights},
};
constexpr std::pair<const char*, double Figures::*> kWeightFigures[] = {
    {"max_weight_ulp", &Figures::max_weight_ulp},
    {"p50_weight_ulp", &Figures::p50_weight_ulp},
    {"p99_weight_ulp", &Figures::p99_weight_ulp},
    {"max_weight_sum_error", &Figures::max_weight_sum_error},
};

void write_figures(hid_t h, const Figures& k) {
  attr_string(h, "arithmetic", std::string(name(k.claim.arithmetic)));
  attr_double(h, "score_abs_error", k.claim.score_abs_error);
  attr_double(h, "budget_max_ulp", k.claim.weights.max_ulp);
  attr_double(h, "budget_abs_floor", k.claim.weights.abs_floor);
  attr_double(h, "min_score_sum", k.claim.min_score_sum);
  attr_int64(h, "nan_weights_when_scores_vanish", k.claim.nan_weights_when_scores_vanish ? 1 : 0);
  attr_int64(h, "sorted", k.claim.sorted ? 1 : 0);
  for (const auto& [name, field] : kCounts) attr_int64(h, name, k.*field);
  for (const auto& [name, field] : kWeightFigures) attr_double(h, name, k.*field);
  dataset(h, "near_tie_tokens", k.near_tie_tokens);
}

void write_file(const std::string& path, const RoutingGoldenFile& f) {
  Handle file = create_file(path, FileFormat::v110);
  Handle root = root_for_writing(file.get());
  write_identity(root.get(), f);
  write_provenance(root.get(), f);

  std::set<std::string> pair_groups;
  auto pair_group = [&](Format logits, Format bias) {
    const std::string n = format_pair(logits, bias);
    if (pair_groups.insert(n).second) {
      Handle g = create_group(file.get(), "/" + n, GroupStorage::compact);
      attr_string(g.get(), "logits_dtype", std::string(name(logits)));
      attr_string(g.get(), "bias_dtype", std::string(name(bias)));
    }
    return "/" + n;
  };
  for (const RoutingGoldenCase& c : f.cases) {
    Handle g = create_group(file.get(), pair_group(c.inputs.logits_format, c.inputs.bias_format) + "/" + c.name,
                           GroupStorage::compact);
    write_config(g.get(), c.config);
    attr_uint64(g.get(), "seed", c.seed);
    write_distribution(g.get(), "logits", c.logits_distribution);
    write_distribution(g.get(), "bias", c.bias_distribution);
    write_batch(g.get(), c.config, c.inputs, c.answers);
    Handle kg = create_group(g.get(), "kernels", GroupStorage::compact);
    for (const RoutingKernelFigures& k : c.kernels) {
      Handle h = create_group(kg.get(), k.kernel, GroupStorage::compact);
      write_figures(h.get(), k);
    }
  }
  for (const RoutingCorpus& c : f.corpora) {
    Handle g = create_group(file.get(), pair_group(c.logits, c.bias) + "/corpus", GroupStorage::compact);
    attr_string(g.get(), "logits_dtype", std::string(name(c.logits)));
    attr_string(g.get(), "bias_dtype", std::string(name(c.bias)));
    for (const RoutingCounterexample& e : c.entries) {
      Handle h = create_group(g.get(), e.name, GroupStorage::compact);
      attr_string(h.get(), "found_by", e.found_by);
      write_config(h.get(), e.routing.config);
      write_batch(h.get(), e.routing.config, e.routing.inputs, e.answers);
    }
  }
  write_digests(file.get());
  flush(file.get());
}

// Reading ------------------------------------------------------------

bool read_flag(const Ctx& ctx, hid_t g, const std::string& gp, const char* name) {
  const std::int64_t v = read_attr_int64(ctx, g, gp, name);
  if (v != 0 && v != 1) ctx.fail(gp, fmt::format("attribute '{}' is {}, expected 0 or 1", name, v));
  return v == 1;
}

/// `label`, when given, receives the config attribute.
RoutingConfig read_config(const Ctx& ctx, hid_t g, const std::string& gp, std::string* label = nullptr) {
  RoutingConfig c;
  c.experts = static_cast<int>(read_attr_int64(ctx, g, gp, "experts"));
  c.n_group = static_cast<int>(read_attr_int64(ctx, g, gp, "n_group"));
  c.topk_group = static_cast<int>(read_attr_int64(ctx, g, gp, "topk_group"));
  c.topk = static_cast<int>(read_attr_int64(ctx, g, gp, "topk"));
  const std::string scoring = read_attr_string(ctx, g, gp, "scoring");
  if (scoring == name(Scoring::sigmoid)) c.scoring = Scoring::sigmoid;
  else if (scoring == name(Scoring::softmax)) c.scoring = Scoring::softmax;
  else ctx.fail(gp, fmt::format("has scoring '{}', expected sigmoid or softmax", scoring));
  c.renormalize = read_flag(ctx, g, gp, "renormalize");
  c.routed_scaling_factor = read_attr_double(ctx, g, gp, "routed_scaling_factor");
  if (const std::string why = c.validate(); !why.empty())
    ctx.fail(gp, fmt::format("holds an invalid routing configuration ({})", why));
  const std::string config = read_attr_string(ctx, g, gp, "config");
  if (label) *label = config;
  return c;
}

/// `label` receives the <of>_distribution attribute.
Distribution read_distribution(const Ctx& ctx, hid_t g, const std::string& gp, const std::string& of, std::string& label) {
  Distribution d;
  const std::string kind = read_attr_string(ctx, g, gp, (of + "_kind").c_str());
  if (kind == "bits") d.kind = Distribution::Kind::bits;
  else if (kind != "normal") ctx.fail(gp, fmt::format("has {}_kind '{}', expected normal or bits", of, kind));
  d.mean = read_attr_double(ctx, g, gp, (of + "_mean").c_str());
  d.sd = read_attr_double(ctx, g, gp, (of + "_sd").c_str());
  label = read_attr_string(ctx, g, gp, (of + "_distribution").c_str());
  return d;
}

/// The formats a group names (a format pair, its corpus, a case or counterexample): those
/// of the format-pair group's name.
void read_pair_formats(const Ctx& ctx, hid_t g, const std::string& gp, Format logits, Format bias) {
  for (const auto& [attr, want] : {std::pair{"logits_dtype", logits}, std::pair{"bias_dtype", bias}}) {
    const std::string got = read_attr_string(ctx, g, gp, attr);
    if (got != name(want)) ctx.fail(gp, fmt::format("has {} '{}', expected '{}' (its group's)", attr, got, name(want)));
  }
}

void read_batch(const Ctx& ctx, hid_t g, const std::string& gp, const RoutingConfig& c, Format logits, Format bias,
                RoutingInputs& in, RoutingAnswers& a) {
  read_pair_formats(ctx, g, gp, logits, bias);
  in.logits_format = logits;
  in.bias_format = bias;
  in.tokens = read_attr_int64(ctx, g, gp, "tokens");
  if (in.tokens < 1) ctx.fail(gp, fmt::format("has tokens {}, expected at least 1", in.tokens));
  const auto T = static_cast<hsize_t>(in.tokens);
  const auto E = static_cast<hsize_t>(c.experts), K = static_cast<hsize_t>(c.topk);
  in.logits = read_shaped<std::uint32_t>(ctx, g, gp, "logits_bits", {T, E});
  in.bias = read_shaped<std::uint32_t>(ctx, g, gp, "bias_bits", {E});
  a.ids = read_shaped<std::int32_t>(ctx, g, gp, "ids", {T, K});
  a.weights_hi = read_shaped<double>(ctx, g, gp, "weights_hi", {T, K});
  a.weights_lo = read_shaped<double>(ctx, g, gp, "weights_lo", {T, K});
  a.groups = read_shaped<std::int32_t>(ctx, g, gp, "groups", {T, static_cast<hsize_t>(c.topk_group)});
  a.group_margin = read_shaped<double>(ctx, g, gp, "group_margin", {T});
  a.expert_margin = read_shaped<double>(ctx, g, gp, "expert_margin", {T});
}

Figures read_figures(const Ctx& ctx, hid_t h, const std::string& kp, const std::string& kernel, std::int64_t tokens) {
  Figures k;
  k.kernel = kernel;
  const std::string arithmetic = read_attr_string(ctx, h, kp, "arithmetic");
  const auto f = parse_format(arithmetic);
  if (!f) ctx.fail(kp, fmt::format("has arithmetic '{}', expected bf16, fp16 or fp32", arithmetic));
  k.claim.arithmetic = *f;
  k.claim.score_abs_error = read_attr_double(ctx, h, kp, "score_abs_error");
  k.claim.weights.max_ulp = read_attr_double(ctx, h, kp, "budget_max_ulp");
  k.claim.weights.abs_floor = read_attr_double(ctx, h, kp, "budget_abs_floor");
  k.claim.min_score_sum = read_attr_double(ctx, h, kp, "min_score_sum");
  k.claim.nan_weights_when_scores_vanish = read_flag(ctx, h, kp, "nan_weights_when_scores_vanish");
  k.claim.sorted = read_flag(ctx, h, kp, "sorted");
  for (const auto& [name, field] : kCounts) k.*field = read_attr_int64(ctx, h, kp, name);
  for (const auto& [name, field] : kWeightFigures) k.*field = read_attr_double(ctx, h, kp, name);
  k.near_tie_tokens = read_dataset<std::int64_t>(ctx, h, kp, "near_tie_tokens");
  for (std::int64_t t : k.near_tie_tokens)
    if (t < 0 || t >= tokens) ctx.fail(kp + "/near_tie_tokens", fmt::format("holds token {}, outside [0, {})", t, tokens));
  return k;
}

}  // namespace

std::string format_pair(Format logits, Format bias) { return fmt::format("{}+{}", name(logits), name(bias)); }

std::optional<std::pair<Format, Format>> parse_format_pair(std::string_view text) {
  const std::size_t plus = text.find('+');
  if (plus == std::string_view::npos) return std::nullopt;
  const auto logits = parse_format(text.substr(0, plus)), bias = parse_format(text.substr(plus + 1));
  if (!logits || !bias) return std::nullopt;
  return std::pair{*logits, *bias};
}

void write_routing_golden(const std::string& path, const RoutingGoldenFile& file,
                          const std::function<void()>& before_rename) {
  write_atomically(path, [&](const std::string& tmp) { write_file(tmp, file); }, before_rename);
}

namespace {

RoutingGoldenFile read_routing_file(const std::string& path) {
  Ctx ctx{path, std::string(kRoutingOpName), {}};
  Handle file = open_file(ctx);
  Handle root = open_root(ctx, file.get());

  RoutingGoldenFile f;
  read_root_of_op(ctx, root.get(), f, kRoutingOpName);

  for (const std::string& pn : members(root.get())) {
    const auto pair = parse_format_pair(pn);
    if (!pair) ctx.fail("/" + pn, "is not a format-pair group (expected <logits>+<bias>, e.g. bf16+fp32)");
    const auto [logits, bias] = *pair;
    const std::string pp = "/" + pn;
    Handle pg = open_group(ctx, root.get(), "/", pn);
    read_pair_formats(ctx, pg.get(), pp, logits, bias);
    for (const std::string& cn : members(pg.get())) {
      const std::string gp = pp + "/" + cn;
      Handle g = open_group(ctx, pg.get(), pp, cn);
      if (cn == "corpus") {
        RoutingCorpus corpus{logits, bias, {}};
        read_pair_formats(ctx, g.get(), gp, logits, bias);
        for (const std::string& en : members(g.get())) {
          const std::string ep = gp + "/" + en;
          Handle h = open_group(ctx, g.get(), gp, en);
          RoutingCounterexample e;
          e.name = en;
          e.found_by = read_attr_string(ctx, h.get(), ep, "found_by");
          e.routing.config = read_config(ctx, h.get(), ep);
          read_batch(ctx, h.get(), ep, e.routing.config, logits, bias, e.routing.inputs, e.answers);
          corpus.entries.push_back(std::move(e));
        }
        f.corpora.push_back(std::move(corpus));
        continue;
      }
      RoutingGoldenCase c;
      c.name = cn;
      c.config = read_config(ctx, g.get(), gp, &c.config_label);
      c.seed = read_attr_uint64(ctx, g.get(), gp, "seed");
      c.logits_distribution = read_distribution(ctx, g.get(), gp, "logits", c.logits_distribution_label);
      c.bias_distribution = read_distribution(ctx, g.get(), gp, "bias", c.bias_distribution_label);
      read_batch(ctx, g.get(), gp, c.config, logits, bias, c.inputs, c.answers);
      Handle kg = open_group(ctx, g.get(), gp, "kernels");
      for (const std::string& kn : members(kg.get())) {
        Handle h = open_group(ctx, kg.get(), gp + "/kernels", kn);
        c.kernels.push_back(read_figures(ctx, h.get(), gp + "/kernels/" + kn, kn, c.inputs.tokens));
      }
      f.cases.push_back(std::move(c));
    }
  }
  if (f.cases.empty() && f.corpora.empty())
    ctx.fail("/", "holds no cases (expected /<logits>+<bias>/<case> groups)");
  return f;
}

}  // namespace

RoutingGoldenFile read_routing_golden(const std::string& path) {
  return read_surviving_hdf5(Ctx{path, std::string(kRoutingOpName), {}}, [&] { return read_routing_file(path); });
}

}  // namespace ulpcheck::golden
