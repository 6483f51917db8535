#include "output/row_binder.h"

namespace qw::output {

RowBinder::RowBinder(sqlite3_stmt* st) : st_(st) {
  held_.resize(st ? static_cast<size_t>(sqlite3_bind_parameter_count(st)) : 0);
}

RowBinder::Held& RowBinder::Grow(size_t at) {
  held_.resize(at + 1);
  return held_[at];
}

void RowBinder::BindInt(Held& h, int64_t v) {
  sqlite3_bind_int64(st_, i_, v);
  h = {Kind::kInt, v, nullptr};
}

void RowBinder::BindNull(Held& h) {
  sqlite3_bind_null(st_, i_);
  h = {Kind::kNull, 0, nullptr};
}

void RowBinder::BindFixed(Held& h, const char* s) {
  sqlite3_bind_text(st_, i_, s, -1, SQLITE_STATIC);
  h = {Kind::kFixed, 0, s};
}

RowBinder& RowBinder::Text(std::string_view v) {
  if (v.empty()) return Null();
  return TextOrEmpty(v);
}

RowBinder& RowBinder::TextOrEmpty(std::string_view v) {
  Held& h = Next();
  // A null pointer would bind NULL: an empty view may have one.
  sqlite3_bind_text(st_, i_, v.empty() ? "" : v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  h = {};  // the buffer may change under the same pointer
  ++i_;
  return *this;
}

bool BoundStatement::Prepare(sqlite3* db, std::string_view sql) {
  Finalize();
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &st_, nullptr) !=
      SQLITE_OK) {
    Finalize();
    return false;
  }
  bind_ = RowBinder(st_);
  return true;
}

void BoundStatement::Finalize() {
  if (st_) sqlite3_finalize(st_);
  st_ = nullptr;
  bind_ = RowBinder(nullptr);
}

int BoundStatement::Step() {
  const int rc = sqlite3_step(st_);
  sqlite3_reset(st_);
  return rc;
}

}  // namespace qw::output
