// Result<T>: a value or an error message for failures of files, policies, databases and
// system calls. Malformed traffic is not an error of this kind: parsers return nothing and
// raise a named anomaly instead (see anomalies.h).
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace qw::core {

/// Why an operation on a file, policy, database or system call failed; the message names
/// the file and the place.
struct Error {
  std::string message;
};

/// Either a T or an Error.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

/// Success with no value, or an Error.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error.message)), failed_(true) {}  // NOLINT

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const std::string& message() const { return error_; }

 private:
  std::string error_;
  bool failed_ = false;
};

/// Builds an Error from a message.
inline Error MakeError(std::string message) { return Error{std::move(message)}; }

}  // namespace qw::core
