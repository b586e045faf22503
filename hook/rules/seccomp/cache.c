/* ocigate: builds of seccomp profiles, kept by key.
 *
 * Building a profile with libseccomp is most of what judging a config
 * costs (milliseconds for an engine's default profile, against tens of
 * microseconds for everything else), and a host starts its containers
 * with a handful of profiles.  So a build is kept: in this process's
 * memory (`ocigate check` over many configs) and in a directory that only
 * the caller can write (the hook, one process per container).
 *
 * The key is every input that decides the program (see rules/seccomp/build.c:
 * the profile as libseccomp is given it, libseccomp's version, the kernel,
 * the native architecture), so a hit is the program a build would make;
 * the judgement still runs on it each time.  A file's name is a slot (the
 * first byte of the key's hash: at most 256 files), and it holds the whole
 * key, compared byte for byte, so another key in the slot is a miss and is
 * replaced.  A file that does not check out (owner, mode, size, checksum)
 * is a miss too: the profile is built again.
 *
 * Not thread-safe: ocigate judges one config at a time.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "rules/seccomp/cache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/util.h"

#define CACHE_ENV "OCIGATE_SECCOMP_CACHE"
#define CACHE_PARENT "/run/ocigate"
#define CACHE_DEFAULT CACHE_PARENT "/seccomp"
#define CACHE_MAGIC "OCIGBPF3" /* 3: SECCOMP_RET_TRACE and _USER_NOTIF allow */
#define MEM_SLOTS 32

/* A file: this header, the key, the program, the verdicts, then the
 * FNV-1a hash of all that (against a damaged file; the key is compared whole, so no digest
 * has to resist a crafted collision). */
struct file_header
{
  char magic[8];
  uint64_t key_len;
  uint32_t step;
  int32_t rc;
  uint64_t i, k, len;
};

/* Keys of profiles larger than this are kept in memory only. */
#define MAX_FILE_KEY ((size_t)256 * 1024)

struct mem_entry
{
  char *key;
  size_t key_len;
  struct seccomp_built b;
};

/* What this process keeps (single-threaded: ocigate judges one config at
 * a time). */
struct cache_memory
{
  /* Lookups the directory answered.  A build found there is kept in
   * memory from the second on: the hook makes one, and the copy would
   * be work no decision needs. */
  unsigned disk_hits;
  size_t next; /* the slot the next new key takes, in turn */
  /* Pointers: the hook looks up one profile, and a scan of whole entries
   * (each with its verdicts) touched nine pages of memory to find none. */
  struct mem_entry *slots[MEM_SLOTS];
};
static struct cache_memory mem;

static void
built_copy (struct seccomp_built *dst, const struct seccomp_built *src)
{
  *dst = *src;
  dst->prog = src->len ? xmemdup (src->prog, src->len) : NULL;
}

static bool
mem_get (const char *key, size_t key_len, struct seccomp_built *out)
{
  for (size_t s = 0; s < MEM_SLOTS; s++)
    if (mem.slots[s] && mem.slots[s]->key_len == key_len && memcmp (mem.slots[s]->key, key, key_len) == 0)
      {
        built_copy (out, &mem.slots[s]->b);
        return true;
      }
  return false;
}

/* Keep b under key: in its entry when there is one (more verdicts for a
 * program kept before), else in the next slot. */
static void
mem_put (const char *key, size_t key_len, const struct seccomp_built *b)
{
  struct mem_entry *e = NULL;
  for (size_t s = 0; s < MEM_SLOTS && e == NULL; s++)
    if (mem.slots[s] && mem.slots[s]->key_len == key_len && memcmp (mem.slots[s]->key, key, key_len) == 0)
      e = mem.slots[s];
  if (e == NULL)
    {
      struct mem_entry **slot = &mem.slots[mem.next++ % MEM_SLOTS];
      if (*slot == NULL)
        *slot = xzalloc (sizeof **slot);
      e = *slot;
      free (e->key);
      e->key = xmemdup (key, key_len);
      e->key_len = key_len;
    }
  free (e->b.prog);
  built_copy (&e->b, b);
}

/* The cache directory, or NULL when there is none to use. */
static const char *
cache_dir_path (void)
{
  const char *env = getenv (CACHE_ENV);
  if (env)
    return *env ? env : NULL;
  return geteuid () == 0 ? CACHE_DEFAULT : NULL;
}

/* The directory, open, when it is the caller's alone; -1 otherwise. */
static int
cache_dir_open (const char *path, bool create)
{
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT && create)
    {
      if (strcmp (path, CACHE_DEFAULT) == 0)
        (void)mkdir (CACHE_PARENT, 0700);
      if (mkdir (path, 0700) < 0 && errno != EEXIST)
        return -1;
      fd = open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
  if (fd < 0)
    return -1;
  struct stat st;
  if (fstat (fd, &st) < 0 || !S_ISDIR (st.st_mode) || st.st_uid != geteuid () || (st.st_mode & 077) != 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

static uint64_t
fnv1a (const void *data, size_t len)
{
  const unsigned char *p = data;
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < len; i++)
    h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

/* One of 256 files, by the key's hash. */
static void
slot_name (const char *key, size_t key_len, char name[8])
{
  static const char hex[] = "0123456789abcdef";
  unsigned slot = (unsigned)(fnv1a (key, key_len) >> 56);
  memcpy (name, "bpf-", 4);
  name[4] = hex[slot >> 4];
  name[5] = hex[slot & 15];
  name[6] = '\0';
}

static bool
disk_get (const char *key, size_t key_len, struct seccomp_built *out)
{
  const char *path = cache_dir_path ();
  if (path == NULL || key_len > MAX_FILE_KEY)
    return false;
  cleanup_close int dfd = cache_dir_open (path, false);
  if (dfd < 0)
    return false;
  char name[8];
  slot_name (key, key_len, name);
  cleanup_close int fd = openat (dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return false;
  struct stat st;
  const size_t size = sizeof (struct file_header) + key_len + SECCOMP_CACHE_VERDICTS + sizeof (uint64_t);
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || st.st_uid != geteuid () || (st.st_mode & 022) != 0
      || (size_t)st.st_size < size || (size_t)st.st_size > size + SECCOMP_CACHE_MAX_PROG)
    return false;
  size_t file_size = (size_t)st.st_size;
  cleanup_free char *buf = xmalloc (file_size);
  size_t got = 0;
  while (got < file_size)
    {
      ssize_t rd = read (fd, buf + got, file_size - got);
      if (rd < 0 && errno == EINTR)
        continue;
      if (rd <= 0)
        return false;
      got += (size_t)rd;
    }
  uint64_t sum;
  memcpy (&sum, buf + file_size - sizeof sum, sizeof sum);
  if (sum != fnv1a (buf, file_size - sizeof sum))
    return false;
  struct file_header h;
  memcpy (&h, buf, sizeof h);
  if (memcmp (h.magic, CACHE_MAGIC, sizeof h.magic) != 0 || h.key_len != key_len
      || memcmp (buf + sizeof h, key, key_len) != 0 || h.len != file_size - size
      || h.len % 8 != 0 /* whole BPF instructions */)
    return false;
  *out = (struct seccomp_built){ h.step, h.i, h.k, h.rc, NULL, (size_t)h.len, { 0 } };
  if (h.len)
    out->prog = xmemdup (buf + sizeof h + key_len, (size_t)h.len);
  memcpy (out->verdicts, buf + sizeof h + key_len + h.len, SECCOMP_CACHE_VERDICTS);
  return true;
}

static void
disk_put (const char *key, size_t key_len, const struct seccomp_built *b)
{
  const char *path = cache_dir_path ();
  if (path == NULL || key_len > MAX_FILE_KEY)
    return;
  cleanup_close int dfd = cache_dir_open (path, true);
  if (dfd < 0)
    return;
  struct file_header h = { .key_len = key_len, .step = b->step, .rc = b->rc, .i = b->i, .k = b->k, .len = b->len };
  memcpy (h.magic, CACHE_MAGIC, sizeof h.magic);
  size_t size = sizeof h + key_len + b->len + SECCOMP_CACHE_VERDICTS + sizeof (uint64_t);
  cleanup_free char *buf = xmalloc (size);
  memcpy (buf, &h, sizeof h);
  memcpy (buf + sizeof h, key, key_len);
  if (b->len)
    memcpy (buf + sizeof h + key_len, b->prog, b->len);
  memcpy (buf + sizeof h + key_len + b->len, b->verdicts, SECCOMP_CACHE_VERDICTS);
  uint64_t sum = fnv1a (buf, size - sizeof sum);
  memcpy (buf + size - sizeof sum, &sum, sizeof sum);
  char name[8];
  slot_name (key, key_len, name);
  cleanup_free char *file = xasprintf ("%s/%s", path, name);
  ocigate_error_t err = NULL;
  if (write_file_atomic (file, buf, size, &err) < 0)
    ocigate_error_free (&err); /* kept or not, the verdict is the same */
}

bool
seccomp_cache_get (const char *key, size_t key_len, struct seccomp_built *out)
{
  if (mem_get (key, key_len, out))
    return true;
  if (!disk_get (key, key_len, out))
    return false;
  if (mem.disk_hits++ > 0)
    mem_put (key, key_len, out);
  return true;
}

void
seccomp_cache_put (const char *key, size_t key_len, const struct seccomp_built *b)
{
  if (b->len > SECCOMP_CACHE_MAX_PROG)
    return;
  mem_put (key, key_len, b);
  disk_put (key, key_len, b);
}
