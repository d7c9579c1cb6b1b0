#include "capi/request.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <set>

#include "ulpcheck/runs/request_error.hpp"

namespace ulpcheck::capi {

namespace {

using nlohmann::json;

[[noreturn]] void bad(const std::string& where, const std::string& what) {
  throw RequestError(fmt::format("request.{}: {}", where, what));
}

/// Refuses keys of `object` outside `known`, naming them and listing the known ones.
void only_keys(const json& object, const std::string& where, const std::set<std::string>& known) {
  for (const auto& [key, value] : object.items())
    if (!known.contains(key)) {
      std::string list;
      for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
      bad(where.empty() ? key : where + "." + key, fmt::format("unknown key; {} takes {}", where.empty() ? "a request" : where, list));
    }
}

std::string string_at(const json& j, const std::string& where) {
  if (!j.is_string()) bad(where, fmt::format("expected a string, got {}", j.dump()));
  return j.get<std::string>();
}

/// A string or a list of strings.
std::vector<std::string> strings_at(const json& j, const std::string& where) {
  if (j.is_string()) return {j.get<std::string>()};
  if (!j.is_array()) bad(where, fmt::format("expected a string or a list of strings, got {}", j.dump()));
  std::vector<std::string> out;
  for (std::size_t i = 0; i < j.size(); ++i) out.push_back(string_at(j[i], fmt::format("{}[{}]", where, i)));
  return out;
}

std::int64_t integer_at(const json& j, const std::string& where, std::int64_t lowest) {
  if (!j.is_number_integer() || j.get<std::int64_t>() < lowest)
    bad(where, fmt::format("expected an integer >= {}, got {}", lowest, j.dump()));
  return j.get<std::int64_t>();
}

std::uint64_t seed_at(const json& j, const std::string& where) {
  if (!j.is_number_unsigned() && !(j.is_number_integer() && j.get<std::int64_t>() >= 0))
    bad(where, fmt::format("expected an integer from 0 to 2^64-1, got {}", j.dump()));
  return j.get<std::uint64_t>();
}

bool bool_at(const json& j, const std::string& where) {
  if (!j.is_boolean()) bad(where, fmt::format("expected true or false, got {}", j.dump()));
  return j.get<bool>();
}

/// A parameter value as the command line would take it: a number (written exactly) or a
/// string ("inf", "7.3").
std::string value_text(const json& j, const std::string& where) {
  if (j.is_string()) return j.get<std::string>();
  if (!j.is_number()) bad(where, fmt::format("expected a number or a string such as \"inf\", got {}", j.dump()));
  return fmt::format("{}", j.get<double>());
}

void read_routing(const json& r, RoutingReportOptions& o) {
  const std::string at = "routing";
  if (!r.is_object()) bad(at, fmt::format("expected an object, got {}", r.dump()));
  only_keys(r, at,
            {"config", "experts", "n_group", "topk_group", "topk", "scoring", "renormalize", "scale", "logits",
             "biases", "precision_study"});
  auto int_of = [&](const char* key, std::optional<int>& out) {
    if (r.contains(key)) out = static_cast<int>(integer_at(r[key], at + "." + key, 1));
  };
  if (r.contains("config")) o.config = string_at(r["config"], at + ".config");
  int_of("experts", o.experts);
  int_of("n_group", o.n_group);
  int_of("topk_group", o.topk_group);
  int_of("topk", o.topk);
  if (r.contains("scoring")) o.scoring = string_at(r["scoring"], at + ".scoring");
  if (r.contains("renormalize")) o.no_renormalize = !bool_at(r["renormalize"], at + ".renormalize");
  if (r.contains("scale")) o.scale = value_text(r["scale"], at + ".scale");
  if (r.contains("logits")) o.logits = string_at(r["logits"], at + ".logits");
  if (r.contains("biases")) o.biases = strings_at(r["biases"], at + ".biases");
  if (r.contains("precision_study")) o.no_precision_study = !bool_at(r["precision_study"], at + ".precision_study");
}

void read_check(const json& j, ReportRequest& o) {
  only_keys(j, "", {"command", "ops", "dtypes", "kernels", "params", "samples", "tokens", "d", "seed", "routing"});
  if (j.contains("params")) {
    const json& p = j["params"];
    if (!p.is_object()) bad("params", fmt::format("expected an object of parameter values by name, got {}", p.dump()));
    for (const auto& [name, value] : p.items()) o.params[name] = value_text(value, "params." + name);
  }
  if (j.contains("samples")) o.samples = integer_at(j["samples"], "samples", 1);
  if (j.contains("tokens")) o.tokens = integer_at(j["tokens"], "tokens", 1);
  if (j.contains("d")) o.d = integer_at(j["d"], "d", 1);
  if (j.contains("seed")) o.seed = seed_at(j["seed"], "seed");
  if (j.contains("routing")) read_routing(j["routing"], o.routing);
}

void read_fuzz(const json& j, Request& r) {
  only_keys(j, "", {"command", "ops", "dtypes", "kernels", "properties", "cases", "seed", "replay"});
  if (j.contains("properties")) r.fuzz.properties = strings_at(j["properties"], "properties");
  if (j.contains("cases")) r.fuzz_settings.cases = static_cast<int>(integer_at(j["cases"], "cases", 1));
  if (j.contains("seed")) r.fuzz_settings.seed = seed_at(j["seed"], "seed");
  if (j.contains("replay")) r.replay = string_at(j["replay"], "replay");
}

}  // namespace

Request parse_request(const std::string& text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    throw RequestError(fmt::format("request: not valid JSON: {}", e.what()));
  }
  if (!j.is_object()) throw RequestError(fmt::format("request: expected a JSON object, got {}", j.dump()));
  if (!j.contains("command")) throw RequestError("request.command: missing; expected check, fuzz or golden_check");
  const std::string command = string_at(j["command"], "command");
  Request r;
  std::vector<std::string> ops, dtypes, kernels;
  if (j.contains("ops")) ops = strings_at(j["ops"], "ops");
  if (j.contains("dtypes")) dtypes = strings_at(j["dtypes"], "dtypes");
  if (j.contains("kernels")) kernels = strings_at(j["kernels"], "kernels");
  if (command == "check") {
    r.command = Command::check;
    read_check(j, r.check);
    r.check.ops = ops;
    r.check.dtypes = dtypes;
    r.check.kernels = kernels;
  } else if (command == "fuzz") {
    r.command = Command::fuzz;
    read_fuzz(j, r);
    r.fuzz.ops = ops;
    r.fuzz.dtypes = dtypes;
    r.fuzz.kernels = kernels;
  } else if (command == "golden_check") {
    r.command = Command::golden_check;
    only_keys(j, "", {"command", "ops", "kernels", "dir"});
    if (j.contains("dir")) r.golden_check.dir = string_at(j["dir"], "dir");
    r.golden_check.ops = ops;
    r.golden_check.kernels = kernels;
  } else {
    bad("command", fmt::format("unknown command '{}'; expected check, fuzz or golden_check", command));
  }
  return r;
}

}  // namespace ulpcheck::capi
