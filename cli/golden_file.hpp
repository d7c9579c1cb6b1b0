// The golden files of each family, as `ulpcheck golden` handles them: which files the named
// ops select, and regen, check, verify and show of one file. Each family implements these in
// cli/<family>/golden.cpp; cli/golden.cpp drives them alike.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "cli/golden.hpp"
#include "ulpcheck/golden/elementwise/verify.hpp"
#include "ulpcheck/reference/op.hpp"
#include "ulpcheck/runs/resolve.hpp"

namespace ulpcheck::cli {

/// One golden file of a family: elementwise ops have one each, routing has one.
template <class Family>
struct GoldenFileOf;
template <>
struct GoldenFileOf<ElementwiseFamily> {
  const ElementwiseOp* op;
};
template <>
struct GoldenFileOf<RoutingFamily> {};

using GoldenFile = PerFamily<GoldenFileOf>;

struct CheckTally {
  int groups = 0;
  int failed = 0;
};

/// The op whose file it is (the file is <dir>/<op>.h5).
std::string file_op(const GoldenFileOf<ElementwiseFamily>& f);
std::string file_op(const GoldenFileOf<RoutingFamily>& f);

/// The family's files the named ops select (every file of the family when none is named).
void add_golden_files(ElementwiseFamily, const std::vector<std::string>& ops, std::vector<GoldenFile>& out);
void add_golden_files(RoutingFamily, const std::vector<std::string>& ops, std::vector<GoldenFile>& out);

/// Rewrites the file under o.dir (carrying its corpus over unless --drop-corpus) and prints
/// its summary line. `before_rename` as for golden::write_golden.
void regen_file(const GoldenOptions& o, const GoldenFileOf<ElementwiseFamily>& f, const Provenance& provenance,
                const std::function<void()>& before_rename);
void regen_file(const GoldenOptions& o, const GoldenFileOf<RoutingFamily>& f, const Provenance& provenance,
                const std::function<void()>& before_rename);

/// Runs each selected kernel of the family over the file, prints each group's figures beside
/// the recorded ones and explains the first failure of each failing group.
CheckTally check_file(const GoldenOptions& o, const GoldenFileOf<ElementwiseFamily>& f, const KernelSelection& kernels);
CheckTally check_file(const GoldenOptions& o, const GoldenFileOf<RoutingFamily>& f, const KernelSelection& kernels);

/// Reads and verifies the file; a file that cannot be read is one problem.
golden::VerifyResult verify_file(const GoldenOptions& o, const GoldenFileOf<ElementwiseFamily>& f);
golden::VerifyResult verify_file(const GoldenOptions& o, const GoldenFileOf<RoutingFamily>& f);

void show_file(const GoldenOptions& o, const GoldenFileOf<ElementwiseFamily>& f);
void show_file(const GoldenOptions& o, const GoldenFileOf<RoutingFamily>& f);

/// Shared by the families' printing: a figure, and a figure now beside the one recorded
/// ("0.75 (was 0.5)") when they differ.
std::string figure(double v);
std::string beside(double now, std::optional<double> was, const std::string& shown);
inline std::string beside(double now, std::optional<double> was) { return beside(now, was, figure(now)); }
/// `text` with every line after the first indented by four more spaces.
std::string indented(std::string text);

}  // namespace ulpcheck::cli
