// Checking a report document read from a file: fields of the right type, named where they
// are missing. Internal to reports/.
#pragma once

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace ulpcheck::report_check {

enum class Kind { string, integer, number, boolean, object, array };

inline std::string_view kind_name(Kind k) {
  switch (k) {
    case Kind::string: return "a string";
    case Kind::integer: return "an integer";
    case Kind::number: return "a number (or \"nan\", \"inf\", \"-inf\")";
    case Kind::boolean: return "true or false";
    case Kind::object: return "an object";
    case Kind::array: return "an array";
  }
  return "?";
}

inline bool is_kind(const nlohmann::json& j, Kind k) {
  switch (k) {
    case Kind::string: return j.is_string();
    case Kind::integer: return j.is_number_integer();
    case Kind::number:
      return j.is_number() || (j.is_string() && (j == "nan" || j == "inf" || j == "-inf"));
    case Kind::boolean: return j.is_boolean();
    case Kind::object: return j.is_object();
    case Kind::array: return j.is_array();
  }
  return false;
}

struct Shape;

/// A key of an object and the kind of its value; `shape`, for an object, its own fields,
/// and for an array, those of each of its objects.
struct Field {
  const char* key;
  Kind kind;
  const Shape* shape = nullptr;
};

/// What an object of a report holds.
struct Shape {
  std::vector<Field> fields;
  /// How an object is named after its place, " (host.routing_fp32)"; null: by its place.
  std::string (*name)(const nlohmann::json&) = nullptr;
  /// What its fields' kinds do not say, checked after them; null: nothing more.
  std::string (*more)(const nlohmann::json&, const std::string& where) = nullptr;
};

/// The first missing or mistyped field of `obj` at `where`, or empty.
template <class Fields>
std::string check_fields(const nlohmann::json& obj, const std::string& where, const Fields& fields) {
  if (!obj.is_object()) return fmt::format("{}: expected an object", where);
  for (const Field& f : fields) {
    const auto it = obj.find(f.key);
    if (it == obj.end()) return fmt::format("{}: \"{}\" is missing", where, f.key);
    if (!is_kind(*it, f.kind)) return fmt::format("{}: \"{}\" is {}, expected {}", where, f.key, it->type_name(), kind_name(f.kind));
  }
  return {};
}

inline std::string check_fields(const nlohmann::json& obj, const std::string& where, std::initializer_list<Field> fields) {
  return check_fields<std::initializer_list<Field>>(obj, where, fields);
}

inline std::string check_rows(const nlohmann::json& c, const char* key, const std::string& where,
                              std::initializer_list<Field> fields) {
  std::size_t i = 0;
  for (const nlohmann::json& row : c.at(key)) {
    if (std::string p = check_fields(row, fmt::format("{}.{}[{}]", where, key, i), fields); !p.empty()) return p;
    ++i;
  }
  return {};
}

/// The first problem of `obj` at `at` against `shape`: its fields, then the objects of its
/// fields that have a shape, in order, then shape.more; or empty.
inline std::string check_shape(const nlohmann::json& obj, const std::string& at, const Shape& shape) {
  const std::string where = shape.name && obj.is_object() ? at + shape.name(obj) : at;
  if (std::string p = check_fields(obj, where, shape.fields); !p.empty()) return p;
  for (const Field& f : shape.fields) {
    if (!f.shape) continue;
    const nlohmann::json& v = obj[f.key];
    if (v.is_object()) {
      if (std::string p = check_shape(v, fmt::format("{}.{}", where, f.key), *f.shape); !p.empty()) return p;
      continue;
    }
    std::size_t i = 0;
    for (const nlohmann::json& item : v)
      if (std::string p = check_shape(item, fmt::format("{}.{}[{}]", where, f.key, i++), *f.shape); !p.empty())
        return p;
  }
  return shape.more ? shape.more(obj, where) : std::string();
}

}  // namespace ulpcheck::report_check
