// A request the library cannot carry out as given: an unknown op, a parameter out of range,
// options that contradict each other. Its message names what is wrong and where, in the
// words of the command-line flag that carries it ("--<name> -1: ..."), which the C API and the
// Python package take by the same names; the command exits 2 on it.
#pragma once

#include <stdexcept>

namespace ulpcheck {

struct RequestError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace ulpcheck
