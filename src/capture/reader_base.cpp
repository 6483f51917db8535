#include "capture/reader_base.h"

#include <fmt/format.h>

#include <utility>

namespace qw::capture {

ReaderBase::ReaderBase(MappedBytes bytes, bool compressed, std::string gzip_error)
    : bytes_(std::move(bytes)),
      data_(bytes_.bytes()),
      gzip_error_(std::move(gzip_error)),
      compressed_(compressed) {}

bool ReaderBase::Stop(uint64_t record, uint64_t offset, std::string why) {
  done_ = true;
  if (!gzip_error_.empty()) why = fmt::format("{} ({})", why, gzip_error_);
  error_ = ReadError{record, offset, std::move(why)};
  return false;
}

bool ReaderBase::Finish(uint64_t next_record) {
  done_ = true;
  if (!gzip_error_.empty()) error_ = ReadError{next_record, pos_, gzip_error_};
  return false;
}

std::string ReadError::ToString() const {
  return fmt::format("record {} at offset {}: {}", record, offset, message);
}

}  // namespace qw::capture
