// An exhaustive campaign: one op, dtype and kernel over the whole input space
// (properties/exhaustive.hpp), for each parameter set asked, whole or one shard at a time.
// A shard's figures travel as a part document (JSON) that `merge_part_documents` adds up
// into the report of the whole: the same bytes as one run over all of it.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "ulpcheck/properties/exhaustive.hpp"
#include "ulpcheck/runs/observer.hpp"
#include "ulpcheck/runs/report.hpp"
#include "ulpcheck/runs/resolve.hpp"

namespace ulpcheck {

/// As given (each field is the flag of the same name).
struct ExhaustiveRequest {
  std::string op, dtype;
  std::vector<std::string> kernels;  ///< empty: the default kernel of (op, dtype)
  ParamValues params;             ///< empty: each of the op's checked parameter sets
  std::string shard;              ///< "k/n", one-based; empty: the whole space
  std::int64_t rows_per_call = 4096;
};

struct ExhaustivePlan {
  const ElementwiseOp* op = nullptr;
  Format format = Format::bf16;
  std::vector<const Kernel*> kernels;
  std::vector<Params> params;
  Shard shard;
  std::int64_t rows_per_call = 4096;
};

/// "k/n" to a shard; throws RequestError naming --shard.
Shard parse_shard(const std::string& text);

/// Validates the request; throws RequestError naming the flag (an op without an exhaustive
/// space for that dtype, a kernel the GPU sweep cannot take, a shard of several parameter
/// sets or kernels).
ExhaustivePlan plan_exhaustive(const ExhaustiveRequest& request);

/// One part per parameter set and kernel, in the plan's order (parameters first; the
/// kernels of a parameter set share its oracle tables); progress to `observer`.
std::vector<ExhaustivePart> run_exhaustive(const ExhaustivePlan& plan, Observer& observer = silent_observer());

/// The report of whole parts (run over the whole space, or merged), one case each.
ReportResults exhaustive_results(const std::vector<ExhaustivePart>& wholes);

/// A part as a JSON document, and back. part_from_document throws RequestError naming
/// `where` and the key that is missing or wrong.
nlohmann::json part_document(const ExhaustivePart& part);
ExhaustivePart part_from_document(const nlohmann::json& doc, const std::string& where);

/// Parts of one or more cases, grouped by case (op, dtype, parameters, kernel) in order of
/// first appearance, each group merged; throws RequestError as merge_parts does.
std::vector<ExhaustivePart> merge_part_groups(const std::vector<ExhaustivePart>& parts);

}  // namespace ulpcheck
