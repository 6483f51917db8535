// Runs a test's check as a user without privileges. Root reads files and folders whatever
// their mode, so a test of what a user meets when one cannot be read would otherwise be
// skipped wherever the tests run as root (CI does).
#pragma once

#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>

namespace qw::test {

/// The user and group a privileged test process becomes: nobody, nogroup.
inline constexpr uid_t kNobody = 65534;

/// Runs `check` without root: in place when this process is not root, else in a forked
/// child that becomes nobody. Returns what `check` returned, 125 when the child could not
/// give up root, or -1 when it could not be run or did not exit.
inline int RunUnprivileged(const std::function<int()>& check) {
  if (::geteuid() != 0) return check();
  const pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    // A test binary is one thread, so the child may do anything its parent could.
    if (::setgroups(0, nullptr) != 0 || ::setgid(kNobody) != 0 || ::setuid(kNobody) != 0) {
      ::_exit(125);
    }
    ::_exit(check());
  }
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

}  // namespace qw::test
