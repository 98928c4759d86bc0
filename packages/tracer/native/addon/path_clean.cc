#include "path_clean.h"


namespace vt {

/* True when p needs no cleaning: no empty, "." or ".." component and no trailing separator. Most paths are
 * already clean, and checking is much cheaper than rebuilding them. */
static bool is_clean(const char *p, size_t n) {
  if (n == 0 || p[0] != '/') return false;
  if (n == 1) return true;
  if (p[n - 1] == '/') return false;
  for (size_t i = 0; i < n; i++) {
    if (p[i] != '/') continue;
    /* p[i] starts a component */
    char c1 = i + 1 < n ? p[i + 1] : 0;
    if (c1 == '/') return false;
    if (c1 == '.') {
      char c2 = i + 2 < n ? p[i + 2] : '/';
      if (c2 == '/') return false;
      if (c2 == '.' && (i + 3 >= n || p[i + 3] == '/')) return false;
    }
  }
  return true;
}

void clean_absolute(const char *p, size_t n, std::string &out) {
  if (is_clean(p, n)) {
    out.assign(p, n);
    return;
  }
  out.clear();
  out.reserve(n);
  size_t i = 0;
  while (i < n) {
    while (i < n && p[i] == '/') i++;
    size_t b = i;
    while (i < n && p[i] != '/') i++;
    size_t len = i - b;
    if (len == 0 || (len == 1 && p[b] == '.')) continue;
    if (len == 2 && p[b] == '.' && p[b + 1] == '.') {
      /* drop the last kept component; ".." at the root stays at the root, as in the kernel */
      size_t slash = out.rfind('/');
      out.resize(slash == std::string::npos ? 0 : slash);
      continue;
    }
    out.push_back('/');
    out.append(p + b, len);
  }
  if (out.empty()) out = "/";
}

bool valid_utf8(const char *s, size_t n) {
  const unsigned char *u = reinterpret_cast<const unsigned char *>(s);
  size_t i = 0;
  while (i < n) {
    unsigned c = u[i];
    if (c < 0x80) { i++; continue; }
    size_t extra;
    unsigned min;
    if ((c & 0xe0) == 0xc0) { extra = 1; min = 0x80; c &= 0x1f; }
    else if ((c & 0xf0) == 0xe0) { extra = 2; min = 0x800; c &= 0x0f; }
    else if ((c & 0xf8) == 0xf0) { extra = 3; min = 0x10000; c &= 0x07; }
    else return false;
    if (i + extra >= n) return false; /* truncated sequence */
    for (size_t k = 1; k <= extra; k++) {
      if ((u[i + k] & 0xc0) != 0x80) return false;
      c = (c << 6) | (u[i + k] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return false;
    i += extra + 1;
  }
  return true;
}

}  // namespace vt
