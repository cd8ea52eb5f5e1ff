/* file.c — see file.h. */
#include "file.h"

#include "error.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int mc_file_read(const char *path, size_t max_bytes, mc_buf *out) {
  struct stat st;
  size_t start = out->len;
  int fd, rc = 0;

  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return mc_err_from_errno(errno);
  if (fstat(fd, &st) != 0) {
    rc = mc_err_from_errno(errno);
    goto done;
  }
  if (S_ISDIR(st.st_mode)) {
    rc = MC_EINVAL;
    goto done;
  }
  for (;;) {
    ssize_t n;
    if ((rc = mc_buf_reserve(out, 65536)) != 0)
      goto done;
    n = read(fd, out->data + out->len, 65536);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      rc = mc_err_from_errno(errno);
      goto done;
    }
    if (n == 0)
      break;
    out->len += (size_t)n;
    if (out->len - start > max_bytes) {
      rc = MC_ETOOBIG;
      goto done;
    }
  }
done:
  if (rc != 0)
    out->len = start;
  close(fd);
  return rc;
}
