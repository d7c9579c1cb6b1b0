// The golden files of each family (golden/files.hpp), as `ulpcheck golden` handles them:
// regen, verify and show of one file, and the printing of a check. Each family implements
// these in cli/<family>/golden.cpp; cli/golden.cpp drives them alike.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "cli/golden.hpp"
#include "ulpcheck/golden/check_run.hpp"
#include "ulpcheck/golden/combine/check.hpp"
#include "ulpcheck/golden/files.hpp"
#include "ulpcheck/golden/elementwise/verify.hpp"
#include "ulpcheck/reference/op.hpp"
#include "ulpcheck/runs/resolve.hpp"

namespace ulpcheck::cli {

/// Rewrites the file under o.dir (carrying its corpus over unless --drop-corpus) and prints
/// its summary line. `before_rename` as for golden::write_golden.
void regen_file(const GoldenOptions& o, const golden::FileOf<ElementwiseFamily>& f, const Provenance& provenance,
                const std::function<void()>& before_rename);
void regen_file(const GoldenOptions& o, const golden::FileOf<RoutingFamily>& f, const Provenance& provenance,
                const std::function<void()>& before_rename);
void regen_file(const GoldenOptions& o, const golden::FileOf<CombineFamily>& f, const Provenance& provenance,
                const std::function<void()>& before_rename);

/// Prints what one kernel over one file gave: each group's figures beside the recorded ones,
/// the first failure of each failing group explained, the groups skipped.
void print_check(const golden::KernelCheck& k, const golden::FileCheck& c);
void print_check(const golden::KernelCheck& k, const golden::RoutingFileCheck& c);
void print_check(const golden::KernelCheck& k, const golden::CombineFileCheck& c);

/// Reads and verifies the file; a file that cannot be read is one problem.
golden::VerifyResult verify_file(const GoldenOptions& o, const golden::FileOf<ElementwiseFamily>& f);
golden::VerifyResult verify_file(const GoldenOptions& o, const golden::FileOf<RoutingFamily>& f);
golden::VerifyResult verify_file(const GoldenOptions& o, const golden::FileOf<CombineFamily>& f);

void show_file(const GoldenOptions& o, const golden::FileOf<ElementwiseFamily>& f);
void show_file(const GoldenOptions& o, const golden::FileOf<RoutingFamily>& f);
void show_file(const GoldenOptions& o, const golden::FileOf<CombineFamily>& f);

/// Shared by the families' printing: a figure, and a figure now beside the one recorded
/// ("0.75 (was 0.5)") when they differ.
std::string figure(double v);
std::string beside(double now, std::optional<double> was, const std::string& shown);
inline std::string beside(double now, std::optional<double> was) { return beside(now, was, figure(now)); }
/// `text` with every line after the first indented by four more spaces.
std::string indented(std::string text);

}  // namespace ulpcheck::cli
