#include "flow/flow.h"

namespace qw::flow {

uint64_t FlowKey::Hash() const {
  uint64_t h = core::HashIp(lo_ip);
  h = core::Mix64(h ^ (core::HashIp(hi_ip) + 0x9e3779b97f4a7c15ULL));
  h = core::Mix64(h ^ (uint64_t{lo_port} | uint64_t{hi_port} << 16 | uint64_t{proto} << 32));
  return core::Mix64(h ^ (uint64_t{vlan} | uint64_t{inner_vlan} << 16));
}

}  // namespace qw::flow
