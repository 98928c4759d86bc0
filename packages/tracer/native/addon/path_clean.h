/* Lexical cleaning of absolute paths: ".", "..", duplicate and trailing separators. Symlinks are not resolved:
 * the result names the path the way the program spelled it (spec tracing.md section 2). */
#ifndef VT_PATH_CLEAN_H
#define VT_PATH_CLEAN_H

#include <string>

namespace vt {
/* Writes the cleaned form of the absolute path p[0..n) into out. */
void clean_absolute(const char *p, size_t n, std::string &out);
/* True when s[0..n) is valid UTF-8 (paths that are not cannot be represented as JS strings faithfully). */
bool valid_utf8(const char *s, size_t n);
}  // namespace vt

#endif
