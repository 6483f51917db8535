#include "dissect/file_content.h"

namespace qw::dissect {

void FileContent::Add(uint64_t offset, std::span<const uint8_t> bytes) {
  if (bytes.empty()) return;
  seen_ += bytes.size();
  if (broken_ || offset != next_) {
    broken_ = true;
    hash_.reset();
    if (offset + bytes.size() > next_) next_ = offset + bytes.size();
    return;
  }
  next_ += bytes.size();
  if (next_ > hash_limit_) {
    hash_.reset();
    return;
  }
  if (!hash_) {
    if (offset != 0) return;  // the hash was dropped before: it never comes back
    hash_ = std::make_unique<core::Sha256Stream>();
  }
  hash_->Update(bytes);
}

void FileContent::Gap(uint64_t n) {
  if (n == 0) return;
  broken_ = true;
  hash_.reset();
  next_ += n;
}

void FileContent::Finish(int64_t declared, FileTransferObservation& out) {
  out.bytes = seen_;
  out.declared_size = declared;
  out.complete = !broken_ && (declared < 0 || next_ == static_cast<uint64_t>(declared));
  out.sha256.Clear();
  if (out.complete && hash_ && next_ <= hash_limit_) {
    out.sha256.Append(hash_->Finish().view());
  } else if (out.complete && next_ == 0 && hash_limit_ > 0) {
    out.sha256.Append(core::Sha256(std::string_view()).view());  // the empty file
  }
  hash_.reset();
}

}  // namespace qw::dissect
