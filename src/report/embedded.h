// The report's templates (src/report/templates/) and the npm front-end libraries it inlines
// (web/node_modules, at the versions web/package-lock.json pins), built into the binary so
// that `quaywatch report` and `serve` need no files beside it.
#pragma once

#include <string_view>
#include <vector>

namespace qw::report {

/// The bytes of an embedded file by its base name ("report.html", "svg-pan-zoom.min.js");
/// empty when there is no such file.
std::string_view EmbeddedFile(std::string_view name);
/// The base names of every embedded file, in the order the build lists them.
std::vector<std::string_view> EmbeddedFileNames();

}  // namespace qw::report
