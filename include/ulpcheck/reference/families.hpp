// The op families, registered once (Families below). A family is a tag; each stage gives it
// a type per part it has there (its fuzz case and target in properties/, its report plan and
// results in runs/, ...) by specializing that stage's part template, and holds "a part of
// any family" as PerFamily<Part>: a std::variant over the list. Generic code reaches the
// family through std::visit and functions every family overloads, or visits the list with
// Families::for_each; it never asks which family it holds, and a family that lacks a part
// does not compile. docs/adding-a-family.md says what a new family takes.
#pragma once

#include <variant>

namespace ulpcheck {

/// Ops applied to each element (or gate and up pair) on its own: SiLU, GELU and their
/// gated forms (reference/ops/).
struct ElementwiseFamily {};
/// Biased grouped top-k routing: logits [T, E] and bias [E] to expert ids and weights
/// (reference/routing.hpp).
struct RoutingFamily {};
/// The MoE combine: rsf * sum_k w_k y_k + shared per token and hidden element
/// (reference/combine.hpp).
struct CombineFamily {};

template <class... Family>
struct FamilyList {
  template <template <class> class Part>
  using Variant = std::variant<Part<Family>...>;
  /// fn(Family{}) for each family, in order.
  template <class Fn>
  static void for_each(Fn&& fn) {
    (fn(Family{}), ...);
  }
};

/// The table, in report order.
using Families = FamilyList<ElementwiseFamily, RoutingFamily, CombineFamily>;

template <template <class> class Part>
using PerFamily = Families::Variant<Part>;

}  // namespace ulpcheck
