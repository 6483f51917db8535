// Binding a prepared statement's parameters row after row, binding again only what changed.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string_view>
#include <vector>

namespace qw::output {

/// Binds one prepared statement's parameters, in order, for row after row. SQLite keeps a
/// statement's bindings across sqlite3_reset, and a bind costs far more than a compare (the
/// old value is released, the new one set), so a number, a NULL, or a text that never
/// changes under its pointer (a literal, a name table's entry) equal to what the parameter
/// holds already is not bound again. Texts from a row's own buffers always are. Nothing else
/// may bind or clear the statement's parameters while a RowBinder serves it.
class RowBinder {
 public:
  /// Serves `st`, whose parameters are taken to hold nothing known yet.
  explicit RowBinder(sqlite3_stmt* st);
  /// Back to the first parameter, for the next row.
  RowBinder& Row() {
    i_ = 1;
    return *this;
  }
  /// The next parameter: an integer.
  RowBinder& Int(int64_t v) {
    Held& h = Next();
    if (h.kind != Kind::kInt || h.value != v) BindInt(h, v);
    ++i_;
    return *this;
  }
  /// The next parameter: `v` when `present`, else NULL.
  RowBinder& IntOrNull(bool present, int64_t v) { return present ? Int(v) : Null(); }
  /// The next parameter: NULL.
  RowBinder& Null() {
    Held& h = Next();
    if (h.kind != Kind::kNull) BindNull(h);
    ++i_;
    return *this;
  }
  /// The next parameter: text that stays the same under `s` for as long as the statement
  /// lives (a literal, a table's entry); NULL when `s` is null or empty.
  RowBinder& Fixed(const char* s) {
    if (!s || !*s) return Null();
    Held& h = Next();
    if (h.kind != Kind::kFixed || h.text != s) BindFixed(h, s);
    ++i_;
    return *this;
  }
  /// The next parameter: text in a buffer that changes from row to row, not copied (it must
  /// outlive the next step); NULL when empty.
  RowBinder& Text(std::string_view v);
  /// The next parameter: text as Text binds it, but empty text, not NULL, when empty (for
  /// NOT NULL columns whose value may be empty).
  RowBinder& TextOrEmpty(std::string_view v);

 private:
  enum class Kind : uint8_t { kUnknown, kInt, kNull, kFixed };
  // What a parameter holds, as far as it can be trusted to hold it still.
  struct Held {
    Kind kind = Kind::kUnknown;
    int64_t value = 0;
    const char* text = nullptr;
  };
  // The next parameter's record (grown on demand: a statement has few parameters).
  Held& Next() {
    const auto at = static_cast<size_t>(i_ - 1);
    return at < held_.size() ? held_[at] : Grow(at);
  }
  Held& Grow(size_t at);
  // Bind the next parameter and record what it holds.
  void BindInt(Held& h, int64_t v);
  void BindNull(Held& h);
  void BindFixed(Held& h, const char* s);

  sqlite3_stmt* st_;
  int i_ = 1;
  std::vector<Held> held_;  // held_[i - 1] for parameter i
};

/// A prepared statement and the RowBinder that serves it: the writer's INSERTs. Finalized
/// by Finalize, which must come before its connection closes.
class BoundStatement {
 public:
  /// Prepares `sql` on `db`; false when SQLite refuses it (the connection's error says why).
  bool Prepare(sqlite3* db, std::string_view sql);
  /// Finalizes the statement, if prepared.
  void Finalize();
  /// The binder, back at the first parameter: the next row's values go in from here.
  RowBinder& Row() { return bind_.Row(); }
  /// Runs the statement with the values bound and resets it for the next row (keeping
  /// them); SQLite's result code.
  int Step();

 private:
  sqlite3_stmt* st_ = nullptr;
  RowBinder bind_{nullptr};
};

}  // namespace qw::output
