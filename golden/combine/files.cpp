// The combine family's file: one, moe_combine.h5 (add_files is in file_parts.cpp).
#include "ulpcheck/golden/files.hpp"
#include "ulpcheck/reference/combine.hpp"

namespace ulpcheck::golden {

std::string file_op(const FileOf<CombineFamily>&) { return std::string(kCombineOpName); }

}  // namespace ulpcheck::golden
